using ScuttlebuttAkka.Simulation;

namespace ScuttlebuttAkka.Bench.Clusters;

/// <summary>
/// Our nodes on the deterministic <see cref="ClusterSimulator"/>: the same protocol core and the same settings as the
/// UDP cluster (Local preset at the requested interval, every node seeded with the first), on a lossless simulated
/// network in virtual time, every datagram arriving 1 ms after it is sent. Waiting advances the virtual clock, so a
/// run takes seconds of real time whatever its virtual length, and the same seed gives the same figures on any
/// machine. Node ids are the UDP cluster's (node-00, node-01, ...), padded to the width of the largest.
/// </summary>
internal sealed class SimulatedCluster : IClusterUnderTest
{
    private readonly ClusterSimulator _sim;
    private readonly Random _random;
    private readonly List<string> _running = new();
    private readonly TimeSpan _step;
    private readonly TimeSpan _maxStartGap;
    private int _nextSlot;

    /// <summary>Creates the simulator with room for <paramref name="spec"/>'s nodes plus <paramref name="spareNodes"/> that join later; none runs yet.</summary>
    public SimulatedCluster(ClusterSpec spec, int spareNodes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(spareNodes);
        var settings = ScuttlebuttCluster.SettingsAt(spec.Interval) with { ClusterName = "bench-sim" };
        _sim = new ClusterSimulator(new SimulationOptions
        {
            Seed = spec.Seed,
            NodeCount = spec.Nodes + spareNodes,
            // The UDP cluster's ids, so digests (and so bytes and how many entries fit a datagram) are the same.
            NodeIdPrefix = "node-",
            // About what a datagram takes through loopback and a receiving actor, at the clock's resolution; with no
            // delay an eager push would reach every node in the same instant.
            Faults = LinkFaults.None with { Delay = DelayDistribution.Constant(TimeSpan.FromMilliseconds(1)) },
            StartedNodes = 0,
            NodeSettings = settings,
            SeedNodes = 1,
            MaxDatagramBytes = settings.MaxDatagramBytes,
        });
        _sim.PeerEventSink = Record;
        _random = new Random(unchecked((spec.Seed * 31) + 7));
        // Conditions are re-checked every twentieth of an interval of virtual time, so a figure is at most that late.
        // The simulator's clock counts whole milliseconds, so every step is at least one.
        _step = TimeSpan.FromMilliseconds(Math.Max(1, Math.Round(spec.Interval.TotalMilliseconds / 20)));
        // Nodes start a few milliseconds apart, as they do over UDP, so their rounds are not in lock step.
        _maxStartGap = spec.Interval / 20;
        Description = $"ScuttlebuttAkka, simulated network (virtual time), {spec.Interval.TotalMilliseconds:0} ms";
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public bool RunsInRealTime => false;

    /// <inheritdoc />
    public ObservationLog Log { get; } = new();

    /// <inheritdoc />
    public IReadOnlyList<string> RunningNodes => _running.ToArray();

    /// <inheritdoc />
    public TimeSpan Now => _sim.Now;

    /// <inheritdoc />
    public long? BytesSent => _sim.Metrics.BytesSent;

    /// <summary>A factory for <see cref="MeasureCommand"/>-style callers: room for <paramref name="spareNodes"/> joiners.</summary>
    public static ClusterFactory Factory(int spareNodes) => spec => new SimulatedCluster(spec, spareNodes);

    /// <inheritdoc />
    public Task<string> StartNodeAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_nextSlot == _sim.Nodes.Count)
            throw new InvalidOperationException($"All {_sim.Nodes.Count} simulated node slots have been used.");
        if (_running.Count > 0)
            _sim.RunFor(TimeSpan.FromMilliseconds(_random.Next(1, (int)Math.Max(2, _maxStartGap.TotalMilliseconds) + 1)));
        var id = _sim.Nodes[_nextSlot++].Id;
        _sim.Start(id);
        _running.Add(id);
        return Task.FromResult(id);
    }

    /// <inheritdoc />
    public void Write(string nodeId, string value) => _sim.Write(nodeId, ScuttlebuttCluster.ValueKey, value);

    /// <inheritdoc />
    public Task CrashAsync(string nodeId)
    {
        _running.Remove(nodeId);
        _sim.Crash(nodeId);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task LeaveAsync(string nodeId)
    {
        // Like ScuttlebuttNode.LeaveAsync, this returns once the node has gossiped its last rounds and stopped.
        _running.Remove(nodeId);
        var node = _sim.Node(nodeId);
        _sim.Leave(nodeId);
        var limit = _sim.GossipInterval * (_sim.Options.NodeSettings.LeaveRounds + 2);
        _sim.RunUntil(_ => !node.IsRunning, _step, limit);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var start = _sim.Now;
        while (!condition())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_sim.Now - start >= timeout)
                return Task.FromResult(false);
            _sim.RunFor(_step);
        }

        return Task.FromResult(true);
    }

    /// <inheritdoc />
    public Task DelayAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        // In slices, so Ctrl+C stops a long virtual wait promptly; whole milliseconds, the simulator's resolution.
        var untilMs = _sim.NowMs + (long)Math.Ceiling(duration.TotalMilliseconds);
        var sliceMs = Math.Max(1, (long)_sim.GossipInterval.TotalMilliseconds * 10);
        while (_sim.NowMs < untilMs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _sim.RunUntil(TimeSpan.FromMilliseconds(Math.Min(untilMs, _sim.NowMs + sliceMs)));
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private void Record(PeerEvent e)
    {
        if (PeerEventRecorder.ToObservation(e, _sim.Now, ScuttlebuttCluster.ValueKey) is { } observation)
            Log.Record(observation);
    }
}
