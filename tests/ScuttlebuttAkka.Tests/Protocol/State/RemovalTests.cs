using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.State;
using static ScuttlebuttAkka.Tests.Protocol.Reconciliation.ExchangeHarness;

namespace ScuttlebuttAkka.Tests.Protocol.State;

/// <summary>Removed nodes: late or replayed gossip cannot bring that incarnation (or an older one) back; a newer one may join.</summary>
public sealed class RemovalTests
{
    private const int Budget = 1400;
    private const long RememberUntil = 10_000;

    /// <summary>Three views that all know each other; node a (generation 1) holds one key.</summary>
    private static (ClusterState A, ClusterState B, ClusterState C) ThreeNodes(Random rng)
    {
        var a = NewNode("a", 1);
        a.Set("k", "v", 0);
        var b = NewNode("b", 2);
        var c = NewNode("c", 3);
        Exchange(a, b, Budget, rng);
        Exchange(b, c, Budget, rng);
        Exchange(c, a, Budget, rng);
        Assert.All(new[] { a, b, c }, v => Assert.Equal(3, v.Nodes.Count));
        return (a, b, c);
    }

    [Fact]
    public void A_removed_node_is_not_revived_by_gossip_about_the_same_incarnation()
    {
        var rng = new Random(60);
        var (a, b, c) = ThreeNodes(rng);

        Assert.True(b.Remove("a", RememberUntil));
        Assert.True(b.IsRemoved("a", 1));
        var (atB1, _) = Exchange(b, c, Budget, rng);
        var (_, atB2) = Exchange(c, b, Budget, rng);
        var stale = c.BuildDelta(new Digest([], IsComplete: true), Budget, rng); // c offers a in full
        var atB3 = new ApplyReport();
        b.ApplyDelta(stale, 0, atB3);
        a.Set("k2", "newer", 0); // even a newer write of that incarnation does not bring it back
        var (_, atB4) = Exchange(a, b, Budget, rng);

        Assert.False(b.TryGetNode("a", out _));
        Assert.DoesNotContain(new[] { atB1, atB2, atB3, atB4 }.SelectMany(r => r.Changes), ch => ch.NodeId == "a");
        Assert.True(atB2.FromRemovedNode + atB3.FromRemovedNode + atB4.FromRemovedNode >= 3);
    }

    [Fact]
    public void A_newer_generation_of_a_removed_node_is_accepted_as_a_new_node()
    {
        var rng = new Random(61);
        var (_, b, _) = ThreeNodes(rng);
        b.Remove("a", RememberUntil);

        var a2 = NewNode("a", 1, generation: 2);
        a2.Set("k", "reborn", 0);
        var (_, atB) = Exchange(a2, b, Budget, rng);

        Assert.Contains(new NodeDiscovered("a", 2, "127.0.0.1:1"), atB.Changes);
        Assert.DoesNotContain(atB.Changes, ch => ch is NodeRestarted);
        Assert.Equal(2, b.Nodes["a"].Generation);
        Assert.Equal(0, b.RememberedCount);
        Assert.False(b.IsRemoved("a", 2));
    }

    [Fact]
    public void Past_its_memory_a_removed_node_comes_back_only_with_a_heartbeat_newer_than_at_its_removal()
    {
        var rng = new Random(62);
        var (a, b, c) = ThreeNodes(rng);
        b.Remove("a", RememberUntil);

        b.CollectGarbage(RememberUntil - 1, 60_000);
        Assert.True(b.IsRemoved("a", 1, heartbeat: long.MaxValue)); // within the memory: nothing about it is taken
        b.CollectGarbage(RememberUntil, 60_000);
        Assert.Equal(1, b.RememberedCount); // the removal is kept past the memory
        Assert.True(b.IsRemoved("a", 1));

        // Old news (c's copy of a is as old as b's was) is still refused...
        var (_, stale) = Exchange(c, b, Budget, rng);
        Assert.DoesNotContain(stale.Changes, ch => ch is NodeDiscovered);
        Assert.True(stale.FromRemovedNode > 0);

        // ...but a heartbeat newer than at the removal proves a ran after it: it is taken back.
        a.BumpHeartbeat();
        Exchange(a, c, Budget, rng);
        var (_, atB) = Exchange(c, b, Budget, rng);
        Assert.Contains(new NodeDiscovered("a", 1, "127.0.0.1:1"), atB.Changes);
        Assert.Equal(0, b.RememberedCount);
    }

    [Fact]
    public void An_older_incarnation_is_refused_for_good_once_a_newer_one_was_removed()
    {
        var rng = new Random(63);
        var (_, b, _) = ThreeNodes(rng);
        var old = NewNode("a", 1, generation: 1);
        var newer = NewNode("a", 1, generation: 2);
        newer.BumpHeartbeat();
        Pull(b, newer, rng);
        Assert.Equal(2, b.Nodes["a"].Generation);
        b.Remove("a", RememberUntil);
        b.CollectGarbage(RememberUntil + 1_000_000, 60_000);

        for (var i = 0; i < 50; i++)
            old.BumpHeartbeat(); // however fresh its heartbeat, generation 1 is older than the one removed
        var report = Pull(b, old, rng);
        Assert.DoesNotContain(report.Changes, ch => ch is NodeDiscovered);
        Assert.True(b.IsRemoved("a", 1, heartbeat: long.MaxValue));
        Assert.False(b.Nodes.ContainsKey("a"));
        Assert.False(b.IsRemoved("a", 3)); // a newer incarnation still joins
    }

    [Fact]
    public void A_view_cannot_remove_itself_or_a_node_it_does_not_know()
    {
        var (_, b, _) = ThreeNodes(new Random(63));

        Assert.False(b.Remove("b", RememberUntil));
        Assert.False(b.Remove("nobody", RememberUntil));
        Assert.Equal(3, b.Nodes.Count);
        Assert.Equal(0, b.RememberedCount);
    }
}
