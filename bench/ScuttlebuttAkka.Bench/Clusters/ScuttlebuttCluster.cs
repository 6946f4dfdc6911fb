using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Streams.Dsl;
using ScuttlebuttAkka.Transport;

namespace ScuttlebuttAkka.Bench.Clusters;

/// <summary>
/// Our nodes in one ActorSystem over a chosen transport (real UDP on loopback by default), with the Local preset at the
/// requested interval. Every node but the first is seeded with the first running node's address.
/// </summary>
internal sealed class ScuttlebuttCluster : IClusterUnderTest, ITrafficBreakdown
{
    /// <summary>The key every node writes its benchmark value under.</summary>
    public const string ValueKey = "bench.value";

    private readonly ClusterSpec _spec;
    private readonly TransportFactory _transport;
    private readonly ActorSystem _system;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly object _gate = new();
    private readonly List<ScuttlebuttNode> _everStarted = new();
    private readonly List<ScuttlebuttNode> _running = new();
    private readonly string _clusterName;
    private readonly TrafficTally? _tally;
    private int _nextIndex;

    /// <summary>
    /// Creates an empty cluster; nodes are added by <see cref="StartNodeAsync"/>. With <paramref name="tallyTraffic"/>
    /// every datagram sent is also decoded and counted by message type.
    /// </summary>
    public ScuttlebuttCluster(ClusterSpec spec, TransportFactory transport, string transportName, bool tallyTraffic = false)
    {
        _spec = spec;
        _clusterName = "bench-" + spec.Seed.ToString(CultureInfo.InvariantCulture);
        if (tallyTraffic)
        {
            var tally = new TrafficTally(SettingsFor(0, Array.Empty<string>()).CreateCodec());
            var inner = transport;
            _tally = tally;
            transport = settings => Flow.Create<Datagram>()
                .Select(d =>
                {
                    tally.Count(d.Payload.Span);
                    return d;
                })
                .ViaMaterialized(inner(settings), Keep.Right);
        }

        _transport = transport;
        Description = $"ScuttlebuttAkka, {transportName}, {spec.Interval.TotalMilliseconds:0} ms";
        _system = ActorSystem.Create("scuttlebutt-bench", ConfigurationFactory.ParseString("""
            akka.loglevel = WARNING
            akka.stdout-loglevel = WARNING
            akka.log-dead-letters = off
            akka.log-dead-letters-during-shutdown = off
            """));
        var recorder = _system.ActorOf(PeerEventRecorder.Props(Log, () => Now, ValueKey), "recorder");
        _system.EventStream.Subscribe(recorder, typeof(PeerEvent));
    }

    /// <summary>A cluster over real UDP on 127.0.0.1.</summary>
    public static ScuttlebuttCluster Udp(ClusterSpec spec) => new(spec, Transports.Udp, "UDP loopback");

    /// <summary>A cluster over real UDP on 127.0.0.1 that also counts what it sends by message type.</summary>
    public static ScuttlebuttCluster UdpWithTally(ClusterSpec spec) => new(spec, Transports.Udp, "UDP loopback", tallyTraffic: true);

    /// <inheritdoc />
    public IReadOnlyDictionary<string, TrafficCount>? TrafficSnapshot() => _tally?.Snapshot();

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public bool RunsInRealTime => true;

    /// <inheritdoc />
    public ObservationLog Log { get; } = new();

    /// <inheritdoc />
    public IReadOnlyList<string> RunningNodes
    {
        get
        {
            lock (_gate)
                return _running.Select(n => n.NodeId).ToArray();
        }
    }

    /// <inheritdoc />
    public TimeSpan Now => _clock.Elapsed;

    /// <inheritdoc />
    public long? BytesSent
    {
        get
        {
            lock (_gate)
                return _everStarted.Sum(n => n.Statistics.BytesOut);
        }
    }

    /// <summary>The running nodes themselves, for commands that read their statistics or views.</summary>
    public IReadOnlyList<ScuttlebuttNode> Nodes
    {
        get
        {
            lock (_gate)
                return _running.ToArray();
        }
    }

    /// <summary>
    /// The Local preset at <paramref name="interval"/>: its failure detector is tuned for 100 ms rounds, so its times
    /// keep their proportion to the interval.
    /// </summary>
    public static ScuttlebuttSettings SettingsAt(TimeSpan interval)
    {
        var local = ScuttlebuttSettings.Local;
        var scale = interval / local.GossipInterval;
        var detector = local.Liveness.Detector;
        return local with
        {
            GossipInterval = interval,
            Liveness = local.Liveness with
            {
                Detector = detector with
                {
                    MinStdDeviation = detector.MinStdDeviation * scale,
                    AcceptableHeartbeatPause = detector.AcceptableHeartbeatPause * scale,
                    FirstHeartbeatEstimate = detector.FirstHeartbeatEstimate * scale,
                },
            },
        };
    }

    /// <summary>The settings node number <paramref name="index"/> runs with.</summary>
    public ScuttlebuttSettings SettingsFor(int index, IReadOnlyList<string> seeds) => SettingsAt(_spec.Interval) with
    {
        NodeId = NodeId(index),
        ClusterName = _clusterName,
        Bind = "127.0.0.1:0",
        Seeds = seeds,
        RandomSeed = unchecked((_spec.Seed * 7919) + index),
    };

    /// <inheritdoc />
    public async Task<string> StartNodeAsync(CancellationToken cancellationToken)
    {
        int index;
        string[] seeds;
        lock (_gate)
        {
            index = _nextIndex++;
            seeds = _running.Count > 0 ? new[] { _running[0].Address } : Array.Empty<string>();
        }

        var node = await ScuttlebuttNode.StartAsync(_system, SettingsFor(index, seeds), _transport, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _everStarted.Add(node);
            _running.Add(node);
        }

        return node.NodeId;
    }

    /// <inheritdoc />
    public void Write(string nodeId, string value) => Node(nodeId).UpdateLocal(ValueKey, value);

    /// <inheritdoc />
    public async Task CrashAsync(string nodeId)
    {
        var node = Detach(nodeId);
        await node.StopAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task LeaveAsync(string nodeId)
    {
        var node = Detach(nodeId);
        await node.LeaveAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken) =>
        RealTime.WaitUntilAsync(Log, condition, timeout, cancellationToken);

    /// <inheritdoc />
    public Task DelayAsync(TimeSpan duration, CancellationToken cancellationToken) => Task.Delay(duration, cancellationToken);

    /// <summary>The running node <paramref name="nodeId"/>.</summary>
    public ScuttlebuttNode Node(string nodeId)
    {
        lock (_gate)
            return _running.First(n => n.NodeId == nodeId);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        ScuttlebuttNode[] running;
        lock (_gate)
        {
            running = _running.ToArray();
            _running.Clear();
        }

        await Task.WhenAll(running.Select(n => n.StopAsync())).ConfigureAwait(false);
        await _system.Terminate().ConfigureAwait(false);
        _system.Dispose();
    }

    private static string NodeId(int index) => "node-" + index.ToString("D2", CultureInfo.InvariantCulture);

    private ScuttlebuttNode Detach(string nodeId)
    {
        lock (_gate)
        {
            var node = _running.First(n => n.NodeId == nodeId);
            _running.Remove(node);
            return node;
        }
    }
}
