using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;
using static ScuttlebuttAkka.Tests.Protocol.Reconciliation.ExchangeHarness;

namespace ScuttlebuttAkka.Tests.Protocol.Reconciliation;

/// <summary>Building budgeted deltas: scuttle-depth order, ascending versions, and a cut that always leaves a valid prefix.</summary>
public sealed class DeltaBuildingTests
{
    /// <summary>An owner with 40 keys of uneven sizes, and a receiver that pulled it when it had only the first 10.</summary>
    private static (ClusterState Owner, ClusterState Receiver) OwnerAndReceiverBehindBy30(Random rng)
    {
        var owner = NewNode("owner", 1);
        var receiver = NewNode("receiver", 2);
        for (var i = 0; i < 40; i++)
        {
            if (i == 10)
                Pull(receiver, owner, rng);
            owner.Set($"key-{i}", new string('v', rng.Next(0, 60)), 0);
        }

        Assert.Equal(10, receiver.Nodes["owner"].MaxVersion);
        return (owner, receiver);
    }

    [Fact]
    public void A_cut_delta_is_a_prefix_of_what_the_receiver_lacks_and_it_may_claim_the_last_version_it_got()
    {
        for (var body = 90; body < 1500; body += 13)
        {
            var rng = new Random(body);
            var (owner, receiver) = OwnerAndReceiverBehindBy30(rng);
            var lacking = owner.Self.PairsNewerThan(10).ToList();

            var delta = owner.BuildDelta(receiver.BuildDigest(1400, rng), body, rng);

            Assert.True(WireFormat.DeltaSize(delta) <= body, $"delta of {WireFormat.DeltaSize(delta)} bytes over a body budget of {body}");
            var d = Assert.Single(delta.Nodes);
            Assert.Equal(10, d.FromVersion);
            Assert.NotEmpty(d.Pairs);
            Assert.Equal(lacking.Take(d.Pairs.Count), d.Pairs); // ascending, none the receiver has, nothing skipped
            var expectedLast = d.Pairs.Count == lacking.Count ? owner.Self.MaxVersion : d.Pairs[^1].Version;
            Assert.Equal(expectedLast, d.LastVersion);

            receiver.ApplyDelta(RoundTrip(new DeltaMessage(delta), body + WireFormat.HeaderSize).Delta, 0, new ApplyReport());

            var copy = receiver.Nodes["owner"];
            Assert.Equal(d.LastVersion, copy.MaxVersion);
            Assert.Equal(
                owner.Self.Pairs.Where(p => p.Value.Version <= copy.MaxVersion).OrderBy(p => p.Key, StringComparer.Ordinal),
                copy.Pairs.OrderBy(p => p.Key, StringComparer.Ordinal));
        }
    }

    [Fact]
    public void A_delta_never_carries_a_pair_the_receiver_already_holds()
    {
        var rng = new Random(30);
        var owners = Enumerable.Range(0, 6).Select(i => NewNode($"o{i}", 100 + i)).ToArray();
        var hub = NewNode("hub", 1);
        var receiver = NewNode("receiver", 2);
        for (var round = 0; round < 20; round++)
        {
            foreach (var o in owners)
            {
                o.Set($"k{rng.Next(8)}", new string('x', rng.Next(30)), 0);
                if (rng.Next(4) == 0)
                    o.Delete($"k{rng.Next(8)}", 0);
                Pull(hub, o, rng);
                if (rng.Next(3) == 0)
                    Pull(receiver, hub, rng, bodyBudget: rng.Next(30, 300)); // the receiver falls behind unevenly
            }
        }

        for (var body = 30; body < 2000; body += 41)
        {
            var digest = receiver.BuildDigest(1400, rng);
            var delta = hub.BuildDelta(digest, body, rng);

            Assert.True(WireFormat.DeltaSize(delta) <= body);
            foreach (var d in delta.Nodes.Where(d => receiver.TryGetNode(d.NodeId, out _)))
            {
                var held = receiver.Nodes[d.NodeId];
                Assert.Equal(held.MaxVersion, d.FromVersion);
                Assert.All(d.Pairs, p => Assert.True(p.Version > held.MaxVersion, $"{d.NodeId}.{p.Key}@{p.Version} is held already"));
            }
        }
    }

    [Fact]
    public void The_node_the_receiver_knows_least_about_goes_first()
    {
        var rng = new Random(31);
        var (hub, receiver) = ReceiverBehindBy(rng, 5, 12, 3, 8);

        var all = hub.BuildDelta(receiver.BuildDigest(1400, rng), 60_000, rng);
        var cut = hub.BuildDelta(receiver.BuildDigest(1400, rng), 60, rng);

        Assert.Equal(["o2", "o4", "o1", "o3"], all.Nodes.Select(n => n.NodeId));
        Assert.Equal([12, 8, 5, 3], all.Nodes.Select(n => n.Pairs.Count));
        var first = Assert.Single(cut.Nodes);
        Assert.Equal("o2", first.NodeId);
        Assert.InRange(first.Pairs.Count, 1, 11);
    }

    /// <summary>A hub that holds owners o1, o2, ... in full, and a receiver that holds each only up to version 1, behind by the given counts.</summary>
    private static (ClusterState Hub, ClusterState Receiver) ReceiverBehindBy(Random rng, params int[] behind)
    {
        var hub = NewNode("hub", 1);
        var receiver = NewNode("receiver", 2);
        Pull(receiver, hub, rng);
        for (var i = 0; i < behind.Length; i++)
        {
            var owner = NewNode($"o{i + 1}", 100 + i);
            owner.Set("base", "b", 0);
            Pull(receiver, owner, rng);
            for (var k = 0; k < behind[i]; k++)
                owner.Set($"k{k}", "vvvv", 0);
            Pull(hub, owner, rng);
        }

        for (var i = 0; i < behind.Length; i++)
            Assert.Equal(1, receiver.Nodes[$"o{i + 1}"].MaxVersion);
        return (hub, receiver);
    }

    [Fact]
    public void Nodes_equally_far_behind_take_turns_at_the_front()
    {
        var rng = new Random(32);
        var (hub, receiver) = ReceiverBehindBy(rng, 6, 6, 6);
        var firsts = new HashSet<string>();

        for (var i = 0; i < 60; i++)
            firsts.Add(hub.BuildDelta(receiver.BuildDigest(1400, rng), 40, rng).Nodes[0].NodeId);

        Assert.Equal(["o1", "o2", "o3"], firsts.Order());
    }
}
