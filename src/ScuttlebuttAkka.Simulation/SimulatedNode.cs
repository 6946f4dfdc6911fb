using System.Globalization;
using System.Net;
using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Runtime;
using ScuttlebuttAkka.Protocol.State;

namespace ScuttlebuttAkka.Simulation;

/// <summary>
/// One node slot of a <see cref="ClusterSimulator"/>: a fixed id and address, and the incarnation currently running
/// there (or none, after a crash or a leave). Read its state between steps of the simulation; change it only through
/// the simulator.
/// </summary>
public sealed class SimulatedNode
{
    internal SimulatedNode(int index, string id, string address, ScuttlebuttSettings settings)
    {
        Index = index;
        Id = id;
        Address = address;
        Settings = settings;
        var colon = address.LastIndexOf(':');
        EndPoint = new IPEndPoint(IPAddress.Parse(address[..colon]), int.Parse(address[(colon + 1)..], CultureInfo.InvariantCulture));
    }

    /// <summary>The slot's position in <see cref="ClusterSimulator.Nodes"/>.</summary>
    public int Index { get; }

    /// <summary>The node id, the same across restarts.</summary>
    public string Id { get; }

    /// <summary>The gossip address, the same across restarts.</summary>
    public string Address { get; }

    /// <summary>The endpoint datagrams from this slot come from, and to it go to: <see cref="Address"/> parsed, one object shared by every node.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>True while an incarnation runs.</summary>
    public bool IsRunning => Runtime is not null;

    /// <summary>True when the last incarnation stopped after a graceful leave (false while running or after a crash).</summary>
    public bool HasLeft { get; internal set; }

    /// <summary>True while the running incarnation announces its leave and gossips its last rounds.</summary>
    public bool IsLeaving => Runtime is { IsLeaving: true };

    /// <summary>The generation of the running (or last) incarnation; 0 before the first start.</summary>
    public long Generation { get; internal set; }

    /// <summary>How many incarnations have started in this slot.</summary>
    public int Starts { get; internal set; }

    /// <summary>The running incarnation: the same state machine the actor runtime drives; null when nothing runs.</summary>
    internal NodeRuntime? Runtime { get; set; }

    /// <summary>The running incarnation's view of the cluster; null when nothing runs (a crash loses the state).</summary>
    internal ClusterState? State => Runtime?.State;

    /// <summary>The nodes the running incarnation knows, itself included; empty when nothing runs.</summary>
    public IReadOnlyCollection<string> KnownNodes => (IReadOnlyCollection<string>?)State?.Nodes.Keys ?? Array.Empty<string>();

    /// <summary>Peer <paramref name="peerId"/>'s key as the running incarnation knows it; null when unknown, deleted, or nothing runs.</summary>
    public string? Lookup(string peerId, string key) =>
        State is { } state && state.TryGetNode(peerId, out var copy) && copy.TryGet(key, out var value) && !value.IsDeleted ? value.Value : null;

    /// <summary>Rounds of the running incarnation that came late and did not judge peers (a stall, see <see cref="ClusterSimulator.Stall"/>).</summary>
    public long LateRounds => Runtime?.LateRounds ?? 0;

    /// <summary>Rounds this slot has run, every incarnation together.</summary>
    public long Rounds { get; internal set; }

    /// <summary>Datagrams sent, every incarnation together.</summary>
    public long DatagramsSent { get; internal set; }

    /// <summary>Bytes sent, every incarnation together.</summary>
    public long BytesSent { get; internal set; }

    /// <summary>Datagrams received, every incarnation together (those dropped by the decoder included).</summary>
    public long DatagramsReceived { get; internal set; }

    /// <summary>Bytes received, every incarnation together.</summary>
    public long BytesReceived { get; internal set; }

    /// <summary>Received datagrams the decoder dropped.</summary>
    public long DatagramsDropped { get; internal set; }

    /// <summary>The offset of this slot's wall clock from virtual time: only generations read it (<see cref="ClusterSimulator.StepClock"/>).</summary>
    public TimeSpan ClockOffset => TimeSpan.FromMilliseconds(ClockOffsetMs);

    /// <summary>How the running incarnation judges <paramref name="peerId"/>; null when it knows no such peer.</summary>
    public PeerStatus? StatusOf(string peerId) => Runtime?.StatusOf(peerId);

    /// <summary>Every peer the running incarnation knows, with its status.</summary>
    public IEnumerable<KeyValuePair<string, PeerStatus>> PeerStatuses =>
        Runtime is { } runtime
            ? runtime.State.NodeList.Where(n => n.NodeId != Id).Select(n => new KeyValuePair<string, PeerStatus>(n.NodeId, runtime.StatusOf(n.NodeId)!.Value))
            : Enumerable.Empty<KeyValuePair<string, PeerStatus>>();

    /// <inheritdoc />
    public override string ToString() => IsRunning ? $"{Id}@{Generation}" : $"{Id} (stopped)";

    /// <summary>The settings every incarnation of this slot runs with: the simulation's, with this slot's id.</summary>
    internal ScuttlebuttSettings Settings { get; }

    /// <summary>Bumped at every start and stop, so events of a stopped incarnation are recognised and skipped.</summary>
    internal int Incarnation { get; set; }

    internal long ClockOffsetMs { get; set; }

    /// <summary>The clock went back since the running incarnation started: the next one may take a lower generation.</summary>
    internal bool ClockSteppedBack { get; set; }

    /// <summary>Until when the node is stalled: its rounds and deliveries wait until then.</summary>
    internal long StalledUntilMs { get; set; }

    /// <summary>Per peer, the newest generation the running incarnation removed: gossip must never bring it back.</summary>
    internal Dictionary<string, long> Removed { get; } = new(StringComparer.Ordinal);
}
