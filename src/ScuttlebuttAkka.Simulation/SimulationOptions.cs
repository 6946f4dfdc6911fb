using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Reconciliation;

namespace ScuttlebuttAkka.Simulation;

/// <summary>The cluster a <see cref="ClusterSimulator"/> runs: how many nodes, how each is configured, the network and the seed.</summary>
public sealed record SimulationOptions
{
    /// <summary>
    /// Node ids are this followed by the node's index, zero-padded to the width of the largest index (at least two
    /// digits): "n07" by default; "node-" gives the ids the bench's UDP clusters use, so both send the same bytes.
    /// </summary>
    public string NodeIdPrefix { get; init; } = "n";

    /// <summary>Seed of the simulator's one random source: the same seed and the same script give the same run.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>How many nodes the cluster has (each starts once, at a time within <see cref="StartSpread"/>).</summary>
    public int NodeCount { get; init; } = 10;

    /// <summary>
    /// The settings every node runs with: gossip interval, datagram size, failure detector, expiries, eager push,
    /// limits, cluster name, encryption. Node id, addresses, seeds and generation are the simulator's.
    /// </summary>
    public ScuttlebuttSettings NodeSettings { get; init; } = ScuttlebuttSettings.Lan;

    /// <summary>How many of the first nodes serve as everyone's seeds (all of them when there are fewer nodes).</summary>
    public int SeedNodes { get; init; } = 3;

    /// <summary>
    /// How many of the first slots start by themselves (null: all of them); the others wait, stopped and never
    /// started, until the script calls <see cref="ClusterSimulator.Start"/>, as nodes that join a running cluster do.
    /// </summary>
    public int? StartedNodes { get; init; }

    /// <summary>Nodes start at random times from zero up to this (zero starts them all at once).</summary>
    public TimeSpan StartSpread { get; init; } = TimeSpan.Zero;

    /// <summary>The faults of every link until the script changes them.</summary>
    public LinkFaults Faults { get; init; } = LinkFaults.None;

    /// <summary>Datagrams longer than this are dropped by the network and counted (1472: a 1500-byte MTU).</summary>
    public int MaxDatagramBytes { get; init; } = 1472;

    /// <summary>How many of the latest notable events (starts, crashes, partitions, liveness changes, writes) <see cref="ClusterSimulator.Journal"/> keeps; 0 keeps none.</summary>
    public int JournalCapacity { get; init; }

    /// <summary>
    /// True (the default) runs every node's failure detector, as the runtime does. False takes every known peer as
    /// alive until it announces a leave, with no detector, no liveness checks and no liveness events: dissemination
    /// experiments on thousands of nodes need neither the detectors' N² memory (a window of samples per node pair)
    /// nor their N² checks per round, and on a network without failures they change no gossip decision.
    /// </summary>
    public bool FailureDetection { get; init; } = true;

    /// <summary>
    /// True keeps every node's published view (<see cref="Protocol.Runtime.NodeRuntime.View"/>), as the actor runtime
    /// does, for tests of what readers see. False (the default) saves its memory: an immutable snapshot of every peer
    /// per node is N² entries, gigabytes at thousands of nodes, and the simulator reads the nodes' state directly.
    /// </summary>
    public bool PublishViews { get; init; }

    /// <summary>Which pairs every node's deltas take first when not all fit (scuttle-depth unless an experiment compares).</summary>
    internal DeltaOrdering DeltaOrdering { get; init; } = DeltaOrdering.Depth;

    /// <summary>Throws <see cref="ArgumentException"/> when a setting is out of range.</summary>
    public SimulationOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(NodeCount, nameof(NodeCount));
        if (NodeCount > 65_000)
            throw new ArgumentOutOfRangeException(nameof(NodeCount), NodeCount, "At most 65000 nodes are simulated.");
        ArgumentNullException.ThrowIfNull(NodeSettings, nameof(NodeSettings));
        ArgumentNullException.ThrowIfNull(NodeIdPrefix, nameof(NodeIdPrefix));
        ProtocolLimits.ValidateNodeId(NodeIdPrefix + NodeCount.ToString(System.Globalization.CultureInfo.InvariantCulture), nameof(NodeIdPrefix));
        NodeSettings.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(SeedNodes, nameof(SeedNodes));
        if (StartedNodes is { } started && (started < 0 || started > NodeCount))
            throw new ArgumentOutOfRangeException(nameof(StartedNodes), started, $"StartedNodes must be between 0 and NodeCount ({NodeCount}).");
        if (StartSpread < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(StartSpread), StartSpread, "StartSpread must not be negative.");
        ArgumentNullException.ThrowIfNull(Faults, nameof(Faults));
        Faults.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxDatagramBytes, nameof(MaxDatagramBytes));
        ArgumentOutOfRangeException.ThrowIfNegative(JournalCapacity, nameof(JournalCapacity));
        return this;
    }
}
