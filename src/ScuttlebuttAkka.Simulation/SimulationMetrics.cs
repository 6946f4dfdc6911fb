using ScuttlebuttAkka.Protocol;

namespace ScuttlebuttAkka.Simulation;

/// <summary>What a simulation measured: traffic, per-write propagation, liveness verdicts. Read between steps.</summary>
public sealed class SimulationMetrics
{
    private readonly List<WriteRecord> _writes = new();
    private readonly List<LivenessEvent> _liveness = new();
    private readonly List<string> _resurrections = new();

    /// <summary>Rounds run by all nodes together.</summary>
    public long NodeRounds { get; internal set; }

    /// <summary>Datagrams sent by all nodes.</summary>
    public long DatagramsSent { get; internal set; }

    /// <summary>Bytes sent by all nodes.</summary>
    public long BytesSent { get; internal set; }

    /// <summary>Datagrams that reached a running node.</summary>
    public long DatagramsReceived { get; internal set; }

    /// <summary>Datagrams the receivers' decoders dropped.</summary>
    public long DatagramsDropped { get; internal set; }

    /// <summary>Node deltas and digest entries the receivers' views rejected (stale, gaps, old generations, ...).</summary>
    public long Rejected { get; internal set; }

    /// <summary>Events the simulator processed.</summary>
    public long Events { get; internal set; }

    /// <summary>The nodes' gossip interval: one round of virtual time, in milliseconds.</summary>
    public long RoundMs { get; internal set; } = 1;

    /// <summary>Bytes sent per node per round: the cost of gossip.</summary>
    public double BytesPerNodePerRound => NodeRounds == 0 ? 0 : (double)BytesSent / NodeRounds;

    /// <summary>Bytes sent per node per second of virtual time (rounds run by nodes, not time with nodes stopped).</summary>
    public double BytesPerNodePerSecond => BytesPerNodePerRound * 1000.0 / RoundMs;

    /// <summary>Every write and delete the script made, in the order accepted (expiries of keys with a time to live are not listed).</summary>
    public IReadOnlyList<WriteRecord> Writes => _writes;

    /// <summary>Every liveness change any node saw, in order.</summary>
    public IReadOnlyList<LivenessEvent> LivenessEvents => _liveness;

    /// <summary>Downs of running, reachable peers.</summary>
    public IEnumerable<LivenessEvent> FalsePositives => _liveness.Where(e => e.IsFalsePositive);

    /// <summary>Every down verdict.</summary>
    public IEnumerable<LivenessEvent> Downs => _liveness.Where(e => e.Transition == LivenessTransition.Down);

    /// <summary>Incarnations that a node had removed and then learned of again although they no longer ran (should stay empty).</summary>
    public IReadOnlyList<string> Resurrections => _resurrections;

    /// <summary>
    /// The <paramref name="percentile"/> (0 to 100) of the propagation times of the writes that reached every running
    /// node, in virtual milliseconds; null when none did.
    /// </summary>
    public long? PropagationPercentileMs(double percentile)
    {
        if (percentile is < 0 or > 100)
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "A percentile is between 0 and 100.");
        var times = _writes.Where(w => w.PropagationMs is not null).Select(w => w.PropagationMs!.Value).Order().ToArray();
        if (times.Length == 0)
            return null;
        var rank = (int)Math.Ceiling(percentile / 100.0 * times.Length) - 1;
        return times[Math.Clamp(rank, 0, times.Length - 1)];
    }

    /// <summary>As <see cref="PropagationPercentileMs"/>, in rounds (gossip intervals).</summary>
    public double? PropagationPercentileRounds(double percentile) =>
        PropagationPercentileMs(percentile) is { } ms ? (double)ms / RoundMs : null;

    internal void Add(WriteRecord write) => _writes.Add(write);

    internal void Add(LivenessEvent e) => _liveness.Add(e);

    internal void AddResurrection(string description) => _resurrections.Add(description);
}
