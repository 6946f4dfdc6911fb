using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;
using static ScuttlebuttAkka.Tests.Protocol.Reconciliation.ExchangeHarness;

namespace ScuttlebuttAkka.Tests.Protocol.State;

/// <summary>A graceful leave: the mark spreads like any write, and every view reports the node as left exactly once.</summary>
public sealed class LeaveTests
{
    private const int Budget = 1400;

    [Fact]
    public void A_leave_spreads_through_gossip_and_each_view_reports_it_once()
    {
        var rng = new Random(80);
        var a = NewNode("a", 1, generation: 4);
        var b = NewNode("b", 2);
        var c = NewNode("c", 3);
        Exchange(a, b, Budget, rng);
        Exchange(b, c, Budget, rng);

        a.MarkLeaving();
        var reports = new List<(string View, ApplyReport Report)>();
        void Gossip(ClusterState x, ClusterState y)
        {
            var (atX, atY) = Exchange(x, y, Budget, rng);
            reports.Add((x.SelfId, atX));
            reports.Add((y.SelfId, atY));
        }

        Gossip(a, b);
        Gossip(b, c); // c hears it from b, not from a
        Gossip(c, a);
        Gossip(b, c);
        Gossip(a, b);

        var left = reports.SelectMany(r => r.Report.Changes.OfType<NodeLeft>().Select(l => (r.View, l))).ToList();
        Assert.Equal([("b", new NodeLeft("a", 4)), ("c", new NodeLeft("a", 4))], left);
        Assert.True(b.Nodes["a"].HasLeft && b.Nodes["a"].LeaveAnnounced);
        Assert.True(c.Nodes["a"].HasLeft && c.Nodes["a"].LeaveAnnounced);
        Assert.DoesNotContain(reports.SelectMany(r => r.Report.Changes), ch => ch is KeyUpdated { Key: ReservedKeys.Left });
    }

    [Fact]
    public void A_direct_announcement_and_the_gossiped_mark_together_report_the_leave_once()
    {
        var rng = new Random(81);
        var a = NewNode("a", 1, generation: 4);
        var b = NewNode("b", 2);
        Exchange(a, b, Budget, rng);
        a.MarkLeaving();
        var direct = new ApplyReport();

        Assert.True(b.ApplyLeave(new LeaveMessage("a", 4), direct));
        Assert.False(b.ApplyLeave(new LeaveMessage("a", 4), direct));
        var (_, gossiped) = Exchange(a, b, Budget, rng);

        Assert.Equal([new NodeLeft("a", 4)], direct.Changes);
        Assert.DoesNotContain(gossiped.Changes, ch => ch is NodeLeft);
        Assert.True(b.Nodes["a"].HasLeft);
    }

    [Fact]
    public void A_leave_announcement_for_another_incarnation_an_unknown_node_or_this_node_is_ignored()
    {
        var rng = new Random(82);
        var a = NewNode("a", 1, generation: 4);
        var b = NewNode("b", 2);
        Exchange(a, b, Budget, rng);
        var report = new ApplyReport();

        Assert.False(b.ApplyLeave(new LeaveMessage("a", 3), report));
        Assert.False(b.ApplyLeave(new LeaveMessage("a", 5), report));
        Assert.False(b.ApplyLeave(new LeaveMessage("nobody", 1), report));
        Assert.False(b.ApplyLeave(new LeaveMessage("b", 1), report));

        Assert.Empty(report.Changes);
        Assert.False(b.Nodes["a"].LeaveAnnounced);
    }

    [Fact]
    public void Marking_a_leave_twice_writes_once()
    {
        var a = NewNode("a", 1);
        a.Set("k", "v", 0);

        var first = a.MarkLeaving();
        var second = a.MarkLeaving();

        Assert.Equal(2, first);
        Assert.Equal(first, second);
        Assert.Equal(2, a.Self.MaxVersion);
    }

    [Fact]
    public void A_restarted_incarnation_of_a_node_that_left_is_not_marked_left()
    {
        var rng = new Random(83);
        var a = NewNode("a", 1, generation: 4);
        var b = NewNode("b", 2);
        Exchange(a, b, Budget, rng);
        a.MarkLeaving();
        Exchange(a, b, Budget, rng);
        Assert.True(b.Nodes["a"].LeaveAnnounced);

        var a2 = NewNode("a", 1, generation: 5);
        var (_, atB) = Exchange(a2, b, Budget, rng);

        Assert.Contains(atB.Changes, ch => ch is NodeRestarted { NodeId: "a", NewGeneration: 5 });
        Assert.False(b.Nodes["a"].LeaveAnnounced);
        Assert.False(b.Nodes["a"].HasLeft);
    }
}
