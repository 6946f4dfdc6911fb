using ScuttlebuttAkka.Protocol;

namespace ScuttlebuttAkka.Diagnostics;

/// <summary>Running totals of one node's gossip traffic, readable from any thread (the bench and the agent print them).</summary>
public sealed class GossipStatistics
{
    private static readonly int ReasonCount = Enum.GetValues<DropReason>().Length;
    private readonly long[] _dropped = new long[ReasonCount];
    private long _rounds;
    private long _datagramsIn;
    private long _datagramsOut;
    private long _bytesIn;
    private long _bytesOut;
    private long _rejectedNodeDeltas;

    /// <summary>Rounds started.</summary>
    public long Rounds => Interlocked.Read(ref _rounds);

    /// <summary>Datagrams received (before decoding).</summary>
    public long DatagramsIn => Interlocked.Read(ref _datagramsIn);

    /// <summary>Datagrams handed to the transport.</summary>
    public long DatagramsOut => Interlocked.Read(ref _datagramsOut);

    /// <summary>Bytes received.</summary>
    public long BytesIn => Interlocked.Read(ref _bytesIn);

    /// <summary>Bytes handed to the transport.</summary>
    public long BytesOut => Interlocked.Read(ref _bytesOut);

    /// <summary>Node deltas or digest entries rejected while applying (stale, gaps, old generations, limits).</summary>
    public long RejectedNodeDeltas => Interlocked.Read(ref _rejectedNodeDeltas);

    /// <summary>Datagrams dropped, all reasons together.</summary>
    public long DroppedTotal => _dropped.Sum(v => Interlocked.Read(ref v));

    /// <summary>Datagrams dropped for <paramref name="reason"/>.</summary>
    public long Dropped(DropReason reason) => Interlocked.Read(ref _dropped[(int)reason]);

    /// <summary>Every non-zero drop count by reason.</summary>
    public IReadOnlyDictionary<DropReason, long> DroppedByReason() =>
        Enum.GetValues<DropReason>().Where(r => Dropped(r) > 0).ToDictionary(r => r, Dropped);

    internal void CountRound() => Interlocked.Increment(ref _rounds);

    internal void CountIn(int bytes)
    {
        Interlocked.Increment(ref _datagramsIn);
        Interlocked.Add(ref _bytesIn, bytes);
    }

    internal void CountOut(int bytes)
    {
        Interlocked.Increment(ref _datagramsOut);
        Interlocked.Add(ref _bytesOut, bytes);
    }

    internal void CountDrop(DropReason reason) => Interlocked.Increment(ref _dropped[(int)reason]);

    internal void CountRejected(int n) => Interlocked.Add(ref _rejectedNodeDeltas, n);
}
