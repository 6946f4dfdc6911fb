using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Transport;

namespace ScuttlebuttAkka.Diagnostics;

/// <summary>
/// Running totals of one node's gossip traffic, readable from any thread: the one place each of them is counted. The
/// bench and the agent print them, and the library's meter (<see cref="ScuttlebuttMetrics"/>) reports them.
/// </summary>
public sealed class GossipStatistics
{
    private static readonly int DropReasonCount = Enum.GetValues<DropReason>().Length;
    private static readonly int RejectionReasonCount = Enum.GetValues<RejectionReason>().Length;
    private readonly long[] _dropped = new long[DropReasonCount];
    private readonly long[] _rejected = new long[RejectionReasonCount];
    private long _rounds;
    private long _datagramsIn;
    private long _datagramsOut;
    private long _bytesIn;
    private long _bytesOut;

    /// <summary>Rounds started.</summary>
    public long Rounds => Interlocked.Read(ref _rounds);

    /// <summary>Datagrams that reached the node (before decoding); those the transport dropped are in <see cref="Transport"/>.</summary>
    public long DatagramsIn => Interlocked.Read(ref _datagramsIn);

    /// <summary>Datagrams handed to the transport.</summary>
    public long DatagramsOut => Interlocked.Read(ref _datagramsOut);

    /// <summary>Bytes of the datagrams counted by <see cref="DatagramsIn"/>.</summary>
    public long BytesIn => Interlocked.Read(ref _bytesIn);

    /// <summary>Bytes of the datagrams counted by <see cref="DatagramsOut"/>.</summary>
    public long BytesOut => Interlocked.Read(ref _bytesOut);

    /// <summary>Node deltas, digest entries or pairs rejected while applying, all reasons together.</summary>
    public long RejectedNodeDeltas => SumOf(_rejected);

    /// <summary>Datagrams dropped, all reasons together.</summary>
    public long DroppedTotal => SumOf(_dropped);

    /// <summary>
    /// The node's UDP socket: send and receive errors and the datagrams it dropped (inbound overflow, oversized), over
    /// every incarnation of the node. It stays at zero on a transport that is not the UDP stage (the simulated network
    /// counts per link instead).
    /// </summary>
    internal TransportCounters Transport { get; } = new();

    /// <summary>Sends the node's UDP socket refused (full send buffer, unreachable or invalid destination, an ICMP error reported on the socket).</summary>
    public long SendErrors => Transport.SendErrors;

    /// <summary>Receives on the node's UDP socket that failed.</summary>
    public long ReceiveErrors => Transport.ReceiveErrors;

    /// <summary>Received datagrams the UDP socket's stage dropped because the node fell behind and its inbound buffer was full.</summary>
    public long InboundOverflowDrops => Transport.DroppedInboundOverflow;

    /// <summary>Outgoing datagrams the UDP socket's stage dropped unsent because they exceeded the maximum datagram size (a bug if ever non-zero).</summary>
    public long OversizedDrops => Transport.DroppedOversized;

    /// <summary>Datagrams dropped for <paramref name="reason"/>.</summary>
    public long Dropped(DropReason reason) => Interlocked.Read(ref _dropped[(int)reason]);

    /// <summary>Every non-zero drop count by reason.</summary>
    public IReadOnlyDictionary<DropReason, long> DroppedByReason() =>
        Enum.GetValues<DropReason>().Where(r => Dropped(r) > 0).ToDictionary(r => r, Dropped);

    /// <summary>Node deltas, digest entries or pairs rejected for <paramref name="reason"/>.</summary>
    public long Rejected(RejectionReason reason) => Interlocked.Read(ref _rejected[(int)reason]);

    /// <summary>Every non-zero rejection count by reason.</summary>
    public IReadOnlyDictionary<RejectionReason, long> RejectedByReason() =>
        Enum.GetValues<RejectionReason>().Where(r => Rejected(r) > 0).ToDictionary(r => r, Rejected);

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

    internal void CountRejected(RejectionReason reason, int n)
    {
        if (n > 0)
            Interlocked.Add(ref _rejected[(int)reason], n);
    }

    private static long SumOf(long[] counts)
    {
        long sum = 0;
        for (var i = 0; i < counts.Length; i++)
            sum += Interlocked.Read(ref counts[i]);
        return sum;
    }
}
