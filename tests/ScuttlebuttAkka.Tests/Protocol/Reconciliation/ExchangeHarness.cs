using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Tests.Protocol.Reconciliation;

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

    /// <summary>A view of node <paramref name="id"/> at 127.0.0.1:<paramref name="port"/>.</summary>
    public static ClusterState NewNode(string id, int port, long generation = 1, ProtocolLimits? limits = null) =>
        new(id, generation, $"127.0.0.1:{port}", limits);

    /// <summary>One way only: <paramref name="target"/> takes what its complete digest shows it lacks from <paramref name="source"/>.</summary>
    public static ApplyReport Pull(ClusterState target, ClusterState source, Random random, int bodyBudget = 60_000, long nowMs = 0)
    {
        var report = new ApplyReport();
        var digest = target.BuildDigest(WireFormat.MaximumBudget, random);
        var delta = source.BuildDelta(digest, bodyBudget, random);
        target.ApplyDelta(RoundTrip(new DeltaMessage(delta), bodyBudget + WireFormat.HeaderSize).Delta, nowMs, report);
        return report;
    }

    public static string Fingerprint(ClusterState s) =>
        string.Join("\n", s.Nodes.Values.OrderBy(n => n.NodeId, StringComparer.Ordinal).Select(n =>
            $"{n.NodeId}@{n.Generation} v{n.MaxVersion}: " + string.Join(",",
                n.Pairs.Where(p => !p.Value.IsDeleted).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value.Value}@{p.Value.Version}"))));
}
