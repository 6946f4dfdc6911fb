using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Tests.Protocol.Reconciliation;

/// <summary>
/// The step-2 reply stays within its budget when it carries only a digest: the empty delta before it still takes its
/// count byte. (Found by the bench at 128 nodes, where a reply of 1401 bytes for a 1400-byte budget took nodes down.)
/// </summary>
public sealed class StepTwoBudgetTests
{
    [Fact]
    public void A_reply_with_only_heartbeat_news_fits_every_budget()
    {
        // B has newer heartbeats than A for many nodes, and A lacks no pairs: the reply is all digest, no delta.
        var a = ExchangeHarness.NewNode("a", 1);
        var b = ExchangeHarness.NewNode("b", 2);
        var random = new Random(7);
        ExchangeHarness.Pull(a, b, random);
        ExchangeHarness.Pull(b, a, random);
        for (var i = 0; i < 120; i++)
        {
            var peer = ExchangeHarness.NewNode($"node-{i:D3}", 3000 + i, generation: 1_795_724_068_638L + (i * 37));
            ExchangeHarness.Pull(b, peer, random);
            ExchangeHarness.Pull(a, peer, random);
            // B hears the peer's newer heartbeat from the peer's own digest; A does not.
            peer.BumpHeartbeat();
            b.HandleDigestRequest(peer.BuildDigest(WireFormat.MaximumBudget, random), WireFormat.MaximumBudget, random, new ApplyReport());
        }

        var oversized = new List<string>();
        for (var budget = WireFormat.MinimumBudget; budget <= 1400; budget++)
        {
            var request = a.BuildDigest(WireFormat.MaximumBudget, random);
            var reply = b.HandleDigestRequest(request, budget, random, new ApplyReport());
            var bytes = MessageCodec.Encode(reply, ExchangeHarness.Cluster);
            if (bytes.Length > budget)
                oversized.Add($"{bytes.Length} B for a budget of {budget} ({reply.Digest.Entries.Count} digest entries, {reply.Delta.Nodes.Count} node deltas)");
        }

        Assert.Empty(oversized);
    }
}
