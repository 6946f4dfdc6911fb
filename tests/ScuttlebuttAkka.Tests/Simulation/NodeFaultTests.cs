using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Simulation;
using Xunit.Abstractions;

namespace ScuttlebuttAkka.Tests.Simulation;

/// <summary>
/// Faults of a node itself rather than the network: a stall (a long garbage collection, a suspended virtual machine),
/// a wall clock set back between two incarnations, and raw datagrams injected or replayed. Chaos preset: one-second
/// rounds, a detector that tolerates five silent rounds on top of the mean.
/// </summary>
public sealed class NodeFaultTests(ITestOutputHelper output)
{
    private static ClusterSimulator Formed(int nodes, int seed)
    {
        var sim = new ClusterSimulator(new SimulationOptions
        {
            Seed = seed,
            NodeCount = nodes,
            NodeSettings = SimulationPresets.Chaos,
            StartSpread = TimeSpan.FromSeconds(1),
            JournalCapacity = 500,
        });
        sim.RunUntil(TimeSpan.FromSeconds(15));
        Assert.Null(ClusterChecks.FindDivergence(sim));
        Assert.Empty(ClusterChecks.FindMisjudgedPeers(sim));
        return sim;
    }

    private void Show(ClusterSimulator sim)
    {
        foreach (var line in sim.Journal.TakeLast(40))
            output.WriteLine(line);
    }

    [Fact]
    public void A_stall_within_the_detectors_margin_is_not_reported_by_anyone()
    {
        var sim = Formed(12, seed: 3);
        sim.Stall("n04", TimeSpan.FromSeconds(5));
        sim.RunFor(TimeSpan.FromSeconds(30));
        Show(sim);

        Assert.Empty(sim.Metrics.Downs);
        Assert.True(sim.Node("n04").Runtime!.LateRounds >= 1, "the stalled node's first round after the stall came late");
        Assert.Empty(ClusterChecks.FindMisjudgedPeers(sim));
    }

    /// <summary>
    /// A 12 s stall is past the detector's margin: every other node rightly reports the stalled node down, and up again
    /// once it gossips. The stalled node itself reports no one: when it resumes, its first round comes late and most of
    /// what its peers sent meanwhile is still queued behind it, so a detector judged then would see 12 s of silence from
    /// nearly everyone; the stall guard skips judging in that round, and by the next one the queue is drained.
    /// </summary>
    [Fact]
    public void A_stall_past_the_margin_is_reported_by_the_others_but_the_stalled_node_reports_no_one()
    {
        var sim = Formed(12, seed: 4);
        sim.Stall("n04", TimeSpan.FromSeconds(12));
        sim.RunFor(TimeSpan.FromSeconds(40));
        Show(sim);

        var downs = sim.Metrics.Downs.ToArray();
        Assert.DoesNotContain(downs, d => d.Observer == "n04");
        Assert.All(downs, d => Assert.Equal("n04", d.Peer));
        Assert.Equal(11, downs.Select(d => d.Observer).Distinct().Count());
        Assert.Equal(11, sim.Metrics.LivenessEvents.Count(e => e.Peer == "n04" && e.Transition == LivenessTransition.Up));
        Assert.True(sim.Node("n04").Runtime!.LateRounds >= 1);
        Assert.Empty(ClusterChecks.FindMisjudgedPeers(sim));
    }

    /// <summary>
    /// The node's wall clock is set back an hour and it restarts while its peers still hold its first incarnation: its
    /// new generation is lower, so its peers answer its digests with the first incarnation's state. It hears of itself as
    /// the newer incarnation and takes a generation above that one, and everyone then holds it, with its new writes.
    /// </summary>
    [Fact]
    public void A_restart_with_the_clock_set_back_takes_a_generation_above_the_one_its_peers_hold()
    {
        var sim = Formed(8, seed: 5);
        sim.Write("n03", "before", "1");
        sim.RunFor(TimeSpan.FromSeconds(5));
        var first = sim.Node("n03").Generation;

        sim.StepClock("n03", TimeSpan.FromHours(-1));
        sim.Restart("n03");
        Assert.True(sim.Node("n03").Generation < first, "the stepped-back clock gives a lower generation");
        sim.Write("n03", "after", "2");
        var took = sim.RunUntil(s => ClusterChecks.FindDivergence(s) is null && ClusterChecks.FindMisjudgedPeers(s).Count == 0, sim.GossipInterval, TimeSpan.FromSeconds(60));
        Show(sim);

        Assert.NotNull(took);
        var now = sim.Node("n03").Generation;
        Assert.True(now > first, $"n03 carries on at {now}, above its first incarnation's {first}");
        Assert.All(sim.RunningNodes, n => Assert.Equal(now, n.State!.Nodes["n03"].Generation));
        Assert.All(sim.RunningNodes, n => Assert.True(n.State!.Nodes["n03"].TryGet("after", out var v) && v.Value == "2"));
        Assert.All(sim.RunningNodes, n => Assert.False(n.State!.Nodes["n03"].TryGet("before", out _)));
        Assert.Contains(sim.Journal, line => line.Contains("heard of itself as generation", StringComparison.Ordinal));
    }

    /// <summary>
    /// As above, but the node was down long enough to be removed everywhere: its peers refuse its lower generation as one
    /// they removed (for good), and tell it which generation they removed, so it takes one above that and is let in.
    /// </summary>
    [Fact]
    public void A_restart_with_the_clock_set_back_after_removal_is_let_in_above_the_removed_generation()
    {
        var sim = Formed(8, seed: 6);
        var first = sim.Node("n03").Generation;
        sim.Crash("n03");
        // Down after about six silent rounds, removed 20 s later, remembered for 60 s: restart past the memory.
        sim.RunFor(TimeSpan.FromSeconds(100));
        Assert.All(sim.RunningNodes, n => Assert.False(n.State!.Nodes.ContainsKey("n03")));

        sim.StepClock("n03", TimeSpan.FromHours(-1));
        sim.Start("n03");
        Assert.True(sim.Node("n03").Generation < first);
        sim.Write("n03", "back", "yes");
        var took = sim.RunUntil(s => ClusterChecks.FindDivergence(s) is null && ClusterChecks.FindMisjudgedPeers(s).Count == 0, sim.GossipInterval, TimeSpan.FromSeconds(60));
        Show(sim);

        Assert.NotNull(took);
        Assert.True(sim.Node("n03").Generation > first);
        Assert.All(sim.RunningNodes, n => Assert.True(n.State!.Nodes["n03"].TryGet("back", out var v) && v.Value == "yes"));
        Assert.Empty(sim.Metrics.Resurrections);
    }

    [Fact]
    public void Injected_garbage_is_dropped_and_counted_and_a_replayed_exchange_changes_nothing()
    {
        var sim = Formed(6, seed: 7);
        var capture = sim.Capture("n01", "n02");
        sim.Write("n01", "k", "v1");
        sim.RunFor(TimeSpan.FromSeconds(5));
        capture.Stop();
        sim.Write("n01", "k", "v2");
        sim.RunFor(TimeSpan.FromSeconds(5));
        var before = sim.Node("n02").DatagramsDropped;

        sim.Inject("n02", [0x53, 0x42, 0xFF, 0x00, 0x01], from: "n01");
        sim.Inject("n02", new byte[600], from: "n05");
        sim.Replay(capture);
        sim.RunFor(TimeSpan.FromSeconds(3));

        Assert.Equal(before + 2, sim.Node("n02").DatagramsDropped);
        Assert.NotEmpty(capture.Datagrams);
        Assert.All(sim.RunningNodes, n => Assert.True(n.State!.Nodes["n01"].TryGet("k", out var v) && v.Value == "v2"));
        Assert.Null(ClusterChecks.FindDivergence(sim));
        Assert.Empty(sim.Metrics.Downs);
    }
}
