using ScuttlebuttAkka.Protocol.Reconciliation;

namespace ScuttlebuttAkka.Bench.Clusters;

/// <summary>Totals of one message type sent.</summary>
/// <param name="Datagrams">Datagrams.</param>
/// <param name="Bytes">Bytes.</param>
/// <param name="DigestEntries">Digest entries carried.</param>
/// <param name="NodeDeltas">Node deltas carried.</param>
/// <param name="Pairs">Key/value pairs carried.</param>
internal readonly record struct TrafficCount(long Datagrams, long Bytes, long DigestEntries, long NodeDeltas, long Pairs)
{
    /// <summary>This minus <paramref name="earlier"/>.</summary>
    public TrafficCount Since(TrafficCount earlier) =>
        new(Datagrams - earlier.Datagrams, Bytes - earlier.Bytes, DigestEntries - earlier.DigestEntries, NodeDeltas - earlier.NodeDeltas, Pairs - earlier.Pairs);
}
