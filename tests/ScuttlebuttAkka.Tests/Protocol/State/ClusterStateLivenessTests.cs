using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;
using static ScuttlebuttAkka.Tests.Protocol.Reconciliation.ExchangeHarness;

namespace ScuttlebuttAkka.Tests.Protocol.State;

/// <summary>How the view uses the failure detector's verdicts, and what it reports to the detector.</summary>
public sealed class ClusterStateLivenessTests
{
    private static ClusterState NewNode(string id, int port, long generation = 1) => new(id, generation, $"127.0.0.1:{port}");

    /// <summary>A, B and C all know X (with X's first key); then X writes a second key that reaches A only.</summary>
    private static (ClusterState A, ClusterState B, ClusterState X) Known(Random rng)
    {
        var a = NewNode("a", 1);
        var b = NewNode("b", 2);
        var x = NewNode("x", 9);
        x.Set("k", "1", 0);
        Exchange(a, x, 1400, rng);
        Exchange(b, x, 1400, rng);
        x.Set("k2", "2", 0);
        Exchange(a, x, 1400, rng);
        return (a, b, x);
    }

    [Fact]
    public void A_node_judged_down_is_still_gossiped_to_peers_that_know_it()
    {
        var rng = new Random(1);
        var (a, b, _) = Known(rng);
        Assert.True(a.SetDown("x", true));

        Exchange(b, a, 1400, rng);

        Assert.True(b.Nodes["x"].TryGet("k2", out var v) && v.Value == "2");
    }

    [Fact]
    public void A_node_judged_down_is_not_introduced_to_a_peer_that_never_heard_of_it_until_it_is_up_again()
    {
        var rng = new Random(2);
        var (a, _, _) = Known(rng);
        var newcomer = NewNode("c", 3);
        a.SetDown("x", true);

        Exchange(newcomer, a, 1400, rng);
        Exchange(a, newcomer, 1400, rng);

        Assert.True(newcomer.Nodes.ContainsKey("a"));
        Assert.False(newcomer.Nodes.ContainsKey("x"));

        a.SetDown("x", false);
        Exchange(newcomer, a, 1400, rng);

        Assert.True(newcomer.Nodes["x"].TryGet("k2", out _));
    }

    [Fact]
    public void A_node_that_announced_its_leave_is_not_introduced_either()
    {
        var rng = new Random(3);
        var (a, _, x) = Known(rng);
        x.MarkLeaving();
        Exchange(a, x, 1400, rng);
        Assert.True(a.Nodes["x"].LeaveAnnounced);
        var newcomer = NewNode("c", 3);

        Exchange(newcomer, a, 1400, rng);

        Assert.False(newcomer.Nodes.ContainsKey("x"));
    }

    [Fact]
    public void A_restart_clears_the_verdict_and_the_verdict_names_only_known_peers()
    {
        var rng = new Random(4);
        var (a, _, _) = Known(rng);
        a.SetDown("x", true);
        var restarted = NewNode("x", 9, generation: 2);
        restarted.Set("fresh", "1", 0);

        Exchange(a, restarted, 1400, rng);

        Assert.Equal(2, a.Nodes["x"].Generation);
        Assert.False(a.Nodes["x"].IsDown);
        Assert.False(a.SetDown("nobody", true));
        Assert.False(a.SetDown("a", true));
    }

    [Fact]
    public void A_discovered_node_arrives_through_its_discovery_not_also_as_a_heartbeat()
    {
        var rng = new Random(5);
        var a = NewNode("a", 1);
        var x = NewNode("x", 9);
        x.BumpHeartbeat();

        var (atA, _) = Exchange(a, x, 1400, rng);

        Assert.Contains(atA.Changes, c => c is NodeDiscovered { NodeId: "x" });
        Assert.DoesNotContain("x", atA.HeartbeatsAdvanced);
        Assert.Equal(1, a.Nodes["x"].Heartbeat);

        x.BumpHeartbeat();
        var (later, _) = Exchange(a, x, 1400, rng);

        Assert.Equal(["x"], later.HeartbeatsAdvanced);
    }

    [Fact]
    public void A_node_is_reported_once_per_message_even_when_both_its_delta_and_a_digest_advance_it()
    {
        var a = NewNode("a", 1);
        var x = NewNode("x", 9);
        Exchange(a, x, 1400, new Random(6));
        x.BumpHeartbeat();
        x.Set("k", "v", 0);
        var report = new ApplyReport();
        var nodeDelta = x.BuildDelta(new Digest([new DigestEntry("x", 1, 0, 0)], IsComplete: false), 1000, new Random(7)).Nodes.Single();
        x.BumpHeartbeat();
        var response = new DigestResponse(new Delta([nodeDelta]), new Digest([new DigestEntry("x", 1, x.Self.Heartbeat, x.Self.MaxVersion)], IsComplete: false));

        a.Receive(response, 1400, 1400, 0, new Random(8), report);

        Assert.Equal(2, a.Nodes["x"].Heartbeat);
        Assert.Equal(["x"], report.HeartbeatsAdvanced);
    }
}
