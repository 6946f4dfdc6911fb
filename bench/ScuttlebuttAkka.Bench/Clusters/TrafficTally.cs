using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Bench.Clusters;

/// <summary>
/// Counts every datagram the nodes send by message type, decoding each to count digest entries, node deltas and pairs:
/// where the bytes go. Decoding costs CPU, so it is only switched on when asked (<c>cost --breakdown</c>).
/// </summary>
internal sealed class TrafficTally
{
    private readonly DatagramCodec _codec;
    private readonly object _gate = new();
    private readonly Dictionary<string, TrafficCount> _counts = new(StringComparer.Ordinal);

    /// <summary>Creates a tally that decodes with <paramref name="codec"/>.</summary>
    public TrafficTally(DatagramCodec codec) => _codec = codec;

    /// <summary>Counts one sent datagram.</summary>
    public void Count(ReadOnlySpan<byte> datagram)
    {
        var reason = _codec.TryDecode(datagram, out var message);
        var (kind, entries, nodes, pairs) = message switch
        {
            DigestRequest r => ("digest (step 1)", r.Digest.Entries.Count, 0, 0),
            DigestResponse r => ("delta + digest (step 2)", r.Digest.Entries.Count, r.Delta.Nodes.Count, r.Delta.Nodes.Sum(n => n.Pairs.Count)),
            DeltaMessage r => ("delta (step 3)", 0, r.Delta.Nodes.Count, r.Delta.Nodes.Sum(n => n.Pairs.Count)),
            PushMessage r => ("push (eager)", 0, r.Delta.Nodes.Count, r.Delta.Nodes.Sum(n => n.Pairs.Count)),
            LeaveMessage => ("leave", 0, 0, 0),
            { } other => (other.GetType().Name, 0, 0, 0),
            _ => ("undecodable: " + reason, 0, 0, 0),
        };
        lock (_gate)
        {
            var c = _counts.GetValueOrDefault(kind);
            _counts[kind] = new TrafficCount(c.Datagrams + 1, c.Bytes + datagram.Length, c.DigestEntries + entries, c.NodeDeltas + nodes, c.Pairs + pairs);
        }
    }

    /// <summary>The totals so far, by message type.</summary>
    public IReadOnlyDictionary<string, TrafficCount> Snapshot()
    {
        lock (_gate)
            return new Dictionary<string, TrafficCount>(_counts, StringComparer.Ordinal);
    }
}
