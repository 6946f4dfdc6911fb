using System.Globalization;
using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.Runtime;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Simulation;

/// <summary>
/// A deterministic discrete-event simulation of a whole cluster in virtual time. Every node is a
/// <see cref="NodeRuntime"/>, the state machine the <c>GossiperActor</c> drives in production: the simulator only
/// schedules its rounds, hands it the datagrams the <see cref="NetworkModel"/> delivers (loss, duplication,
/// reordering, delay, partitions, size limit) as the bytes the runtime encoded, and carries out what it asks. It
/// decides nothing about gossip itself. One seeded <see cref="Random"/> drives every choice, and events at the same
/// instant run in the order they were scheduled, so the same options and the same script give the same run, event
/// for event (<see cref="TraceHash"/>). Not thread-safe: one thread drives it.
/// </summary>
/// <remarks>
/// How the simulator drives a node differs from the actor in ways that change no decision: the seed provider answers
/// in the same instant after the round that asked (the actor asks it on the thread pool), addresses are literal, so
/// nothing is resolved, and a node's inputs never overlap (the actor's mailbox serializes them the same way).
/// Faults of the node itself (a stall, a clock offset or step) are the simulator's to inject; see
/// <see cref="Stall"/> and <see cref="StepClock"/>.
/// </remarks>
public sealed partial class ClusterSimulator
{
    /// <summary>Generations are this plus the virtual start time in milliseconds, like the runtime's Unix-time default.</summary>
    public const long GenerationBase = 1_700_000_000_000;

    private readonly PriorityQueue<ScheduledEvent, (long At, long Sequence)> _queue = new();
    private readonly SimulatedNode[] _nodes;
    private readonly Dictionary<string, SimulatedNode> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimulatedNode> _byAddress = new(StringComparer.Ordinal);
    private readonly Dictionary<System.Net.EndPoint, SimulatedNode> _byEndPoint = new();
    private readonly string[] _seedAddresses;
    private readonly ScuttlebuttSettings _settings;
    private readonly Random _random;
    private readonly WriteTracker _tracker;
    private readonly Queue<string>? _journal;
    private readonly long _intervalMs;
    private TraceHash _trace;
    private long _sequence;
    private int _budgetCap = int.MaxValue;
    private int _running;

    /// <summary>Creates the cluster and schedules every node's start; nothing runs until <see cref="RunUntil(TimeSpan)"/>.</summary>
    public ClusterSimulator(SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Validate();
        _settings = options.NodeSettings;
        _intervalMs = Math.Max(1, (long)_settings.GossipInterval.TotalMilliseconds);
        _random = new Random(options.Seed);
        Network = new NetworkModel(options.MaxDatagramBytes, options.Faults);
        _journal = options.JournalCapacity > 0 ? new Queue<string>(options.JournalCapacity) : null;
        _tracker = new WriteTracker(options.NodeCount);
        Metrics.RoundMs = _intervalMs;

        var width = Math.Max(2, (options.NodeCount - 1).ToString(CultureInfo.InvariantCulture).Length);
        _nodes = new SimulatedNode[options.NodeCount];
        for (var i = 0; i < options.NodeCount; i++)
        {
            var id = options.NodeIdPrefix + i.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0');
            // Node nNN lives at 127.1.1.NN (and node 256 + NN at 127.1.2.NN), which keeps traces readable.
            var address = string.Create(CultureInfo.InvariantCulture, $"127.1.{1 + (i / 256)}.{i % 256}:7474");
            var node = new SimulatedNode(i, id, address, _settings with { NodeId = id });
            _nodes[i] = node;
            _byId.Add(id, node);
            _byAddress.Add(address, node);
            _byEndPoint.Add(node.EndPoint, node);
        }

        _seedAddresses = _nodes.Take(options.SeedNodes).Select(n => n.Address).ToArray();
        var spread = (long)options.StartSpread.TotalMilliseconds;
        foreach (var node in _nodes.Take(options.StartedNodes ?? options.NodeCount))
        {
            var at = spread > 0 ? _random.NextInt64(spread + 1) : 0;
            var slot = node;
            Schedule(at, new ScheduledEvent(EventKind.Action, node.Index, 0, -1, null, sim => sim.Boot(slot)));
        }
    }

    /// <summary>The options the simulation was created with.</summary>
    public SimulationOptions Options { get; }

    /// <summary>The network every datagram crosses; change its faults and partitions through the simulator so they are journaled.</summary>
    public NetworkModel Network { get; }

    /// <summary>The virtual clock, in milliseconds since the simulation began.</summary>
    public long NowMs { get; private set; }

    /// <summary>The virtual clock.</summary>
    public TimeSpan Now => TimeSpan.FromMilliseconds(NowMs);

    /// <summary>The nodes' gossip interval: one round of virtual time.</summary>
    public TimeSpan GossipInterval => _settings.GossipInterval;

    /// <summary>Every node slot, by index.</summary>
    public IReadOnlyList<SimulatedNode> Nodes => _nodes;

    /// <summary>The slots where an incarnation runs now.</summary>
    public IEnumerable<SimulatedNode> RunningNodes => _nodes.Where(n => n.IsRunning);

    /// <summary>How many slots run an incarnation now.</summary>
    public int RunningCount => _running;

    /// <summary>
    /// Called, when set, with every event a node's runtime would publish on its EventStream (peers joining,
    /// restarting, leaving, going down or up, being removed; keys updated or deleted), at the virtual instant it
    /// happens. It must not drive the simulator from inside the call. Leaving it null costs nothing.
    /// </summary>
    public Action<PeerEvent>? PeerEventSink { get; set; }

    /// <summary>Traffic, propagation and liveness measurements.</summary>
    public SimulationMetrics Metrics { get; } = new();

    /// <summary>A hash of every event processed so far (time, kind, node, bytes, decisions): equal runs have equal hashes.</summary>
    public ulong TraceHash => _trace.Value;

    /// <summary>The latest notable events as text, oldest first (empty unless <see cref="SimulationOptions.JournalCapacity"/> is set).</summary>
    public IReadOnlyCollection<string> Journal => (IReadOnlyCollection<string>?)_journal ?? Array.Empty<string>();

    /// <summary>The node slot with id <paramref name="nodeId"/>.</summary>
    public SimulatedNode Node(string nodeId) =>
        _byId.TryGetValue(nodeId ?? throw new ArgumentNullException(nameof(nodeId)), out var node)
            ? node
            : throw new ArgumentException($"No simulated node is called '{nodeId}'.", nameof(nodeId));

    // ---------------------------------------------------------------- running

    /// <summary>Runs <paramref name="action"/> at virtual time <paramref name="at"/> (now, if that has passed), after whatever is already scheduled for that instant.</summary>
    public void At(TimeSpan at, Action<ClusterSimulator> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        Schedule(Math.Max(NowMs, (long)at.TotalMilliseconds), new ScheduledEvent(EventKind.Action, -1, 0, -1, null, action));
    }

    /// <summary>Processes every event up to and including virtual time <paramref name="until"/>, then sets the clock there.</summary>
    public void RunUntil(TimeSpan until)
    {
        var untilMs = (long)until.TotalMilliseconds;
        while (_queue.TryPeek(out _, out var when) && when.At <= untilMs)
        {
            var e = _queue.Dequeue();
            NowMs = when.At;
            Metrics.Events++;
            _trace.Add(when.At);
            _trace.Add((long)e.Kind);
            _trace.Add(e.Node);
            Dispatch(e);
        }

        if (untilMs > NowMs)
            NowMs = untilMs;
    }

    /// <summary>Runs for <paramref name="duration"/> of virtual time.</summary>
    public void RunFor(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        RunUntil(Now + duration);
    }

    /// <summary>
    /// Runs until <paramref name="condition"/> holds, checking every <paramref name="checkEvery"/> of virtual time, for
    /// at most <paramref name="timeout"/>; returns how long it took, or null when it never held.
    /// </summary>
    public TimeSpan? RunUntil(Func<ClusterSimulator, bool> condition, TimeSpan checkEvery, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(checkEvery, TimeSpan.Zero);
        var start = Now;
        while (true)
        {
            if (condition(this))
                return Now - start;
            if (Now - start >= timeout)
                return null;
            RunFor(checkEvery);
        }
    }

    // ---------------------------------------------------------------- the script's operations, at the current instant

    /// <summary>Node <paramref name="nodeId"/> sets one of its keys, as <c>UpdateLocal</c> would; returns the version.</summary>
    public long Write(string nodeId, string key, string value, TimeSpan? timeToLive = null)
    {
        var node = RunningNode(nodeId);
        var version = node.Runtime!.Write(key, value, timeToLive, NowMs);
        Accepted(node, key, value, version, isDelete: false);
        Execute(node);
        return version;
    }

    /// <summary>Node <paramref name="nodeId"/> deletes one of its keys; returns the tombstone's version, or 0 when there was nothing to delete.</summary>
    public long Delete(string nodeId, string key)
    {
        var node = RunningNode(nodeId);
        var version = node.Runtime!.Delete(key, NowMs);
        if (version > 0)
            Accepted(node, key, "", version, isDelete: true);
        Execute(node);
        return version;
    }

    /// <summary>
    /// Every running node learns every other running node at once, exactly as a complete exchange with each would
    /// introduce it (what a node that never heard of a peer receives: its incarnation, address, heartbeat and pairs),
    /// without the datagrams. Experiments on thousands of nodes use it to skip formation, which then takes hundreds
    /// of rounds of partial digests and is not what they measure. The introductions share one copy of each id and
    /// address, as one process would.
    /// </summary>
    public void IntroduceAll()
    {
        var running = _nodes.Where(n => n.IsRunning).ToArray();
        var introductions = new List<NodeDelta>(running.Length);
        var probe = new ApplyReport();
        foreach (var node in running)
        {
            // A complete digest naming every peer the node holds, as the node holds it, asks for the node itself only.
            var state = node.State!;
            var others = state.Nodes.Values.Where(n => n.NodeId != node.Id).Select(n => new DigestEntry(n.NodeId, n.Generation, n.Heartbeat, n.MaxVersion)).ToArray();
            var reply = state.HandleDigestRequest(new Digest(others, IsComplete: true), WireFormat.MaximumBudget, _random, probe);
            introductions.AddRange(reply.Delta.Nodes.Where(d => d.NodeId == node.Id));
            probe.Clear();
        }

        var all = new Delta(introductions);
        foreach (var node in running)
        {
            node.Runtime!.Introduce(all, NowMs);
            Execute(node);
        }

        _trace.Add(0x1A7D);
        _trace.Add(running.Length);
        Note($"{running.Length} running nodes introduced to each other");
    }

    /// <summary>Node <paramref name="nodeId"/> crashes: it stops at once, tells no one, and loses its state.</summary>
    public void Crash(string nodeId)
    {
        var node = RunningNode(nodeId);
        Note($"{node} crashes");
        Stop(node, left: false);
    }

    /// <summary>Starts node <paramref name="nodeId"/>, which must be stopped (never started, crashed or left), with a new generation and empty state.</summary>
    public void Start(string nodeId)
    {
        var node = Node(nodeId);
        if (node.IsRunning)
            throw new InvalidOperationException($"Node '{nodeId}' is already running.");
        Boot(node);
    }

    /// <summary>Starts node <paramref name="nodeId"/> again with a higher generation and empty state (crashing it first if it runs).</summary>
    public void Restart(string nodeId)
    {
        var node = Node(nodeId);
        if (node.IsRunning)
            Crash(nodeId);
        Boot(node);
    }

    /// <summary>Node <paramref name="nodeId"/> leaves gracefully: announces it, gossips its last rounds, then stops.</summary>
    public void Leave(string nodeId)
    {
        var node = RunningNode(nodeId);
        if (node.IsLeaving)
            return;
        Note($"{node} leaves");
        node.Runtime!.Leave(NowMs);
        Execute(node);
    }

    /// <summary>Cuts the links between two groups of node ids, both ways or only from <paramref name="sideA"/> to <paramref name="sideB"/>.</summary>
    public void Partition(IEnumerable<string> sideA, IEnumerable<string> sideB, PartitionDirection direction = PartitionDirection.TwoWay)
    {
        ArgumentNullException.ThrowIfNull(sideA);
        ArgumentNullException.ThrowIfNull(sideB);
        var a = sideA.ToArray();
        var b = sideB.ToArray();
        foreach (var id in a.Concat(b))
            Node(id);
        Network.Partition(a, b, direction);
        _trace.Add(0x9A27);
        foreach (var id in a)
            _trace.Add(id);
        foreach (var id in b)
            _trace.Add(id);
        Note($"partition {direction}: [{string.Join(",", a)}] | [{string.Join(",", b)}]");
    }

    /// <summary>Lifts every partition.</summary>
    public void Heal()
    {
        Network.Heal();
        _trace.Add(0x4EA1);
        Note("partitions healed");
    }

    /// <summary>Gives every link without faults of its own the faults <paramref name="faults"/> from now on.</summary>
    public void SetFaults(LinkFaults faults)
    {
        Network.DefaultFaults = faults;
        _trace.Add(0xFA17);
        Note($"faults now {faults}");
    }

    /// <summary>
    /// Caps every node's message budget (the bytes of one gossip message, before the datagram envelope) at
    /// <paramref name="bytes"/> from now on, as flow control would; null lifts the cap, back to the nodes' datagram size.
    /// </summary>
    public void SetMessageBudget(int? bytes)
    {
        if (bytes is { } b)
            ArgumentOutOfRangeException.ThrowIfLessThan(b, WireFormat.MinimumBudget, nameof(bytes));
        _budgetCap = bytes ?? int.MaxValue;
        foreach (var node in _nodes)
        {
            if (node.Runtime is { } runtime)
                runtime.BudgetCap = _budgetCap;
        }

        _trace.Add(0xB0D6);
        _trace.Add(_budgetCap);
        Note($"message budget now {(bytes is null ? "the datagram size" : bytes + " bytes")}");
    }

    // ---------------------------------------------------------------- events

    private void Schedule(long atMs, ScheduledEvent e) => _queue.Enqueue(e, (atMs, _sequence++));

    private SimulatedNode RunningNode(string nodeId)
    {
        var node = Node(nodeId);
        if (!node.IsRunning)
            throw new InvalidOperationException($"Node '{nodeId}' is not running.");
        return node;
    }

    private void Accepted(SimulatedNode node, string key, string value, long version, bool isDelete)
    {
        var write = new WriteRecord(node.Id, node.Generation, key, value, version, isDelete, NowMs);
        Metrics.Add(write);
        _tracker.Track(write, node.Index, _running);
        _trace.Add(node.Index);
        _trace.Add(key);
        _trace.Add(version);
        if (_journal is not null)
            Note($"{node} {(isDelete ? "deletes" : "writes")} {key}{(isDelete ? "" : "=" + value)} v{version}");
    }

    private void Note(string text)
    {
        if (_journal is null)
            return;
        if (_journal.Count == Options.JournalCapacity)
            _journal.Dequeue();
        _journal.Enqueue(string.Create(CultureInfo.InvariantCulture, $"[{NowMs / 1000.0:F3}s] {text}"));
    }
}
