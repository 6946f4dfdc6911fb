namespace ScuttlebuttAkka.Protocol.Liveness;

/// <summary>
/// Tells a node whether to judge its peers this round: not in a round that comes more than two intervals after the
/// previous one. Such a round means this node itself was stalled (a long GC pause, a starved process, a suspended
/// machine), and the silence it measures is its own: the heartbeats it missed are still waiting in its socket. The
/// next round, on time, judges as usual. Pure: every time is passed in, in milliseconds.
/// </summary>
internal sealed class StallGuard
{
    private readonly long _lateAfterMs;
    private long? _lastRoundMs;

    /// <summary>A guard for rounds every <paramref name="intervalMs"/> milliseconds.</summary>
    public StallGuard(long intervalMs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(intervalMs, 1);
        _lateAfterMs = 2 * intervalMs;
    }

    /// <summary>How many rounds came late (and so did not judge) so far.</summary>
    public long LateRounds { get; private set; }

    /// <summary>Records a round at <paramref name="nowMs"/>; false when it came late and peers should not be judged in it.</summary>
    public bool ShouldJudge(long nowMs)
    {
        var previous = _lastRoundMs;
        _lastRoundMs = nowMs;
        if (previous is not { } last || nowMs - last <= _lateAfterMs)
            return true;
        LateRounds++;
        return false;
    }
}
