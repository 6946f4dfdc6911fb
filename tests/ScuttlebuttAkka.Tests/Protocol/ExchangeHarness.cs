using ScuttlebuttAkka.Protocol;

namespace ScuttlebuttAkka.Tests.Protocol;

/// <summary>Runs the three-step exchange between two views through the real codec, with no network.</summary>
internal static class ExchangeHarness
{
    public const uint Cluster = 0xC0FFEEu;

    public static T RoundTrip<T>(T message, int budget) where T : GossipMessage
    {
        var bytes = MessageCodec.Encode(message, Cluster);
        Assert.True(bytes.Length <= budget, $"{typeof(T).Name} of {bytes.Length} bytes exceeds budget {budget}");
        var reason = MessageCodec.TryDecode(bytes, Cluster, ProtocolLimits.Default, out var decoded);
        Assert.Equal(DropReason.None, reason);
        return (T)decoded!;
    }

    /// <summary>One round initiated by <paramref name="a"/> towards <paramref name="b"/>.</summary>
    public static (ApplyReport AtA, ApplyReport AtB) Exchange(ClusterState a, ClusterState b, int budget, Random random, long nowMs = 0)
    {
        var atA = new ApplyReport();
        var atB = new ApplyReport();
        var syn = RoundTrip(new DigestRequest(a.BuildDigest(budget, random)), budget);
        var synAck = RoundTrip(b.HandleDigestRequest(syn.Digest, budget, random, atB), budget);
        var ack = a.HandleDigestResponse(synAck, budget, nowMs, random, atA);
        if (ack is not null)
            b.ApplyDelta(RoundTrip(ack, budget).Delta, nowMs, atB);
        return (atA, atB);
    }

    public static string Fingerprint(ClusterState s) =>
        string.Join("\n", s.Nodes.Values.OrderBy(n => n.NodeId, StringComparer.Ordinal).Select(n =>
            $"{n.NodeId}@{n.Generation} v{n.MaxVersion}: " + string.Join(",",
                n.Pairs.Where(p => !p.Value.IsDeleted).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value.Value}@{p.Value.Version}"))));
}
