using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Simulation;
using Xunit.Abstractions;

namespace ScuttlebuttAkka.Tests.Simulation;

/// <summary>
/// A node that is gone for good must stay gone after its peers' memory of removing it lapses, whatever old traffic
/// still arrives: datagrams held up in the network, or replayed. Chaos preset: down after about five silent rounds,
/// removed 20 s later, the removal remembered for 60 s.
/// </summary>
public sealed class ResurrectionTests(ITestOutputHelper output)
{
    private static ClusterSimulator Formed(int nodes, int seed, int? started = null)
    {
        var sim = new ClusterSimulator(new SimulationOptions
        {
            Seed = seed,
            NodeCount = nodes,
            StartedNodes = started,
            NodeSettings = SimulationPresets.Chaos,
            StartSpread = TimeSpan.FromSeconds(1),
            JournalCapacity = 300,
        });
        sim.RunUntil(TimeSpan.FromSeconds(10));
        Assert.Null(ClusterChecks.FindDivergence(sim));
        return sim;
    }

    private void Report(ClusterSimulator sim)
    {
        foreach (var line in sim.Journal.TakeLast(40))
            output.WriteLine(line);
    }

    /// <summary>
    /// A late node joins while the links into it hold every datagram for 100 s, during 3 s; then they work again, it
    /// learns the cluster, and one of the others crashes for good. Every node reports that one down, removes it, and
    /// forgets the removal after 60 s; then the held datagrams arrive, the first introductions of the crashed node among
    /// them. It must not join again anywhere.
    /// </summary>
    [Fact]
    public void Datagrams_held_up_past_the_removal_memory_do_not_bring_a_crashed_node_back()
    {
        var sim = Formed(3, seed: 21, started: 2);
        var held = new LinkFaults { Delay = DelayDistribution.Constant(TimeSpan.FromSeconds(100)) };
        sim.Network.SetFaults("n00", "n02", held);
        sim.Network.SetFaults("n01", "n02", held);
        sim.Start("n02");
        sim.At(TimeSpan.FromSeconds(13), s =>
        {
            s.Network.SetFaults("n00", "n02", null);
            s.Network.SetFaults("n01", "n02", null);
        });
        sim.At(TimeSpan.FromSeconds(16), s => s.Crash("n01"));

        sim.RunUntil(TimeSpan.FromSeconds(109));
        Assert.All(sim.RunningNodes, n => Assert.False(n.State!.Nodes.ContainsKey("n01"), $"{n} still holds n01 before the held datagrams arrive"));
        Assert.Equal(2, sim.Metrics.LivenessEvents.Count(e => e.Peer == "n01" && e.Transition == LivenessTransition.Removed));

        sim.RunUntil(TimeSpan.FromSeconds(160));
        Report(sim);
        Assert.True(sim.Network.StatisticsOf("n01", "n02").Delivered > 0, "the held datagrams of the crashed node must have arrived");
        Assert.Empty(sim.Metrics.Resurrections);
        Assert.All(sim.RunningNodes, n => Assert.False(n.State!.Nodes.ContainsKey("n01"), $"{n} learned of n01 again"));
    }

    /// <summary>
    /// A node's first incarnation is captured introducing itself as it joins; it restarts as a second incarnation,
    /// leaves gracefully, and is removed and forgotten everywhere. A replay of the first incarnation must not make any
    /// node see the node's generation go backwards.
    /// </summary>
    [Fact]
    public void A_replayed_older_incarnation_is_refused_after_a_newer_one_left_and_was_forgotten()
    {
        var sim = Formed(4, seed: 5, started: 3);
        var capture = sim.Capture("n03", "n00");
        sim.Start("n03");
        sim.RunFor(TimeSpan.FromSeconds(3));
        capture.Stop();
        Assert.NotEmpty(capture.Datagrams);
        var first = sim.Node("n03").Generation;

        sim.Restart("n03");
        sim.RunFor(TimeSpan.FromSeconds(10));
        Assert.True(sim.Node("n03").Generation > first);
        sim.Leave("n03");
        // Left expiry 10 s, then the 60 s memory, then a margin for the collection cadence.
        sim.RunFor(TimeSpan.FromSeconds(85));
        Assert.All(sim.RunningNodes, n => Assert.False(n.State!.Nodes.ContainsKey("n03")));

        sim.Replay(capture);
        sim.RunFor(TimeSpan.FromSeconds(30));
        Report(sim);
        Assert.Empty(sim.Metrics.Resurrections);
        Assert.All(sim.RunningNodes, n => Assert.False(n.State!.Nodes.ContainsKey("n03"), $"{n} learned of n03@{first} again"));
    }

    /// <summary>
    /// The control: a node cut off for longer than the down expiry plus the memory was alive all along, and its peers
    /// take it back when the cut heals (its heartbeat is newer than when they removed it).
    /// </summary>
    [Fact]
    public void A_node_cut_off_past_the_removal_memory_but_alive_is_taken_back()
    {
        var sim = Formed(4, seed: 8);
        sim.Partition(["n03"], ["n00", "n01", "n02"]);
        sim.RunFor(TimeSpan.FromSeconds(100));
        Assert.All(sim.RunningNodes.Where(n => n.Id != "n03"), n => Assert.False(n.State!.Nodes.ContainsKey("n03")));

        sim.Heal();
        // The sides find each other through the seeds (all on one side), contacted with a small probability.
        var took = sim.RunUntil(s => ClusterChecks.FindMisjudgedPeers(s).Count == 0, sim.GossipInterval, TimeSpan.FromSeconds(200));
        Report(sim);
        Assert.NotNull(took);
        Assert.Empty(sim.Metrics.Resurrections);
    }
}
