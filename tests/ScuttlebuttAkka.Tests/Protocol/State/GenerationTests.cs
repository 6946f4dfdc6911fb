using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.State;
using static ScuttlebuttAkka.Tests.Protocol.Reconciliation.ExchangeHarness;

namespace ScuttlebuttAkka.Tests.Protocol.State;

/// <summary>Generations: a restarted node replaces its old incarnation everywhere, and the old one cannot come back.</summary>
public sealed class GenerationTests
{
    private const int Budget = 1400;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_restart_with_a_higher_generation_replaces_the_old_keys_and_reports_NodeRestarted(bool restartedNodeInitiates)
    {
        var rng = new Random(10);
        var a = NewNode("a", 1, generation: 100);
        a.Set("old-1", "x", 0);
        a.Set("old-2", "y", 0);
        var b = NewNode("b", 2);
        Exchange(a, b, Budget, rng);
        Assert.Equal(2, b.Nodes["a"].MaxVersion);

        var a2 = new ClusterState("a", 200, "127.0.0.1:11");
        a2.Set("new", "z", 0);
        var atB = restartedNodeInitiates ? Exchange(a2, b, Budget, rng).AtB : Exchange(b, a2, Budget, rng).AtA;

        var copy = b.Nodes["a"];
        Assert.Equal(200, copy.Generation);
        Assert.Equal("127.0.0.1:11", copy.Address);
        Assert.Equal(1, copy.MaxVersion);
        Assert.False(copy.TryGet("old-1", out _));
        Assert.False(copy.TryGet("old-2", out _));
        Assert.True(copy.TryGet("new", out var v));
        Assert.Equal(new VersionedValue("z", 1, false), v);
        Assert.Equal(
            [new NodeRestarted("a", 100, 200, "127.0.0.1:11"), new KeyUpdated("a", "new", "z", 1)],
            atB.Changes.Where(c => c.NodeId == "a"));
    }

    [Fact]
    public void A_restart_spreads_through_a_third_node_that_still_holds_the_old_incarnation()
    {
        var rng = new Random(11);
        var a = NewNode("a", 1, generation: 100);
        a.Set("k", "old", 0);
        var b = NewNode("b", 2);
        var c = NewNode("c", 3);
        Exchange(a, b, Budget, rng);
        Exchange(b, c, Budget, rng);
        Assert.Equal(100, c.Nodes["a"].Generation);

        var a2 = new ClusterState("a", 101, "127.0.0.1:1");
        a2.Set("k", "new", 0);
        Exchange(a2, b, Budget, rng);
        var (atC, _) = Exchange(c, b, Budget, rng);

        Assert.Contains(new NodeRestarted("a", 100, 101, "127.0.0.1:1"), atC.Changes);
        Assert.True(c.Nodes["a"].TryGet("k", out var v));
        Assert.Equal(new VersionedValue("new", 1, false), v);
    }

    [Fact]
    public void A_delta_from_an_older_generation_is_rejected_and_counted()
    {
        var rng = new Random(12);
        var old = NewNode("a", 1, generation: 100);
        old.Set("k", "old", 0);
        old.Set("j", "old", 0);
        var current = NewNode("a", 1, generation: 200);
        current.Set("k", "new", 0);
        var b = NewNode("b", 2);
        Exchange(current, b, Budget, rng);
        var before = Fingerprint(b);

        // Everything the old incarnation would send to a node it believes knows nothing.
        var stale = old.BuildDelta(new Digest([], IsComplete: true), Budget, rng);
        var report = new ApplyReport();
        b.ApplyDelta(stale, 0, report);

        Assert.Equal(1, report.OldGeneration);
        Assert.Empty(report.Changes);
        Assert.Equal(before, Fingerprint(b));
    }

    [Fact]
    public void A_digest_about_an_older_generation_is_answered_with_the_newer_incarnation_and_its_address()
    {
        var rng = new Random(13);
        var old = NewNode("a", 1, generation: 100);
        old.Set("k", "old", 0);
        var current = new ClusterState("a", 200, "127.0.0.1:7");
        current.Set("k", "new", 0);
        var b = NewNode("b", 2);
        Exchange(current, b, Budget, rng);

        var response = b.HandleDigestRequest(old.BuildDigest(Budget, rng), Budget, rng, new ApplyReport());

        var d = Assert.Single(response.Delta.Nodes, n => n.NodeId == "a");
        Assert.Equal(200, d.Generation);
        Assert.Equal("127.0.0.1:7", d.Address);
        Assert.Equal(0, d.FromVersion);
        Assert.Equal([new KeyValueUpdate("k", "new", 1, false)], d.Pairs);
    }
}
