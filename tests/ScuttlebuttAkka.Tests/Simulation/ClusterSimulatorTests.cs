using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Simulation;

namespace ScuttlebuttAkka.Tests.Simulation;

/// <summary>The simulator's own contract: determinism, the lifecycle it models, and what it measures.</summary>
public sealed class ClusterSimulatorTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private static SimulationOptions Options(int nodes, int seed = 1, LinkFaults? faults = null) => new()
    {
        Seed = seed,
        NodeCount = nodes,
        NodeSettings = SimulationPresets.Chaos,
        StartSpread = TimeSpan.FromSeconds(3),
        Faults = faults ?? LinkFaults.None,
        JournalCapacity = 200,
    };

    /// <summary>A busy script: writes, deletes, a crash and restart, a partition, under loss, delay and duplication.</summary>
    private static ClusterSimulator Busy(int seed)
    {
        var sim = new ClusterSimulator(Options(12, seed, new LinkFaults
        {
            Loss = 0.2,
            Duplication = 0.1,
            Reordering = 0.1,
            Delay = DelayDistribution.Exponential(TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(2)),
        }));
        for (var t = 5; t < 60; t += 3)
        {
            var at = t;
            sim.At(TimeSpan.FromSeconds(at), s => s.Write(s.Nodes[at % 12].Id, "k" + (at % 4), "v" + at));
        }

        sim.At(TimeSpan.FromSeconds(20), s => s.Delete(s.Nodes[5].Id, "k1"));
        sim.At(TimeSpan.FromSeconds(25), s => s.Crash("n03"));
        sim.At(TimeSpan.FromSeconds(30), s => s.Partition(["n00", "n01", "n02"], ["n06", "n07"]));
        sim.At(TimeSpan.FromSeconds(40), s => s.Heal());
        sim.At(TimeSpan.FromSeconds(45), s => s.Restart("n03"));
        sim.RunUntil(TimeSpan.FromSeconds(90));
        return sim;
    }

    [Fact]
    public void The_same_seed_gives_the_same_trace_and_another_seed_another()
    {
        var first = Busy(seed: 11);
        var second = Busy(seed: 11);
        var other = Busy(seed: 12);

        Assert.Equal(first.TraceHash, second.TraceHash);
        Assert.Equal(first.Metrics.Events, second.Metrics.Events);
        Assert.Equal(first.Metrics.BytesSent, second.Metrics.BytesSent);
        Assert.Equal(first.Network.Totals(), second.Network.Totals());
        Assert.Equal(first.Metrics.LivenessEvents, second.Metrics.LivenessEvents);
        Assert.Equal(first.Journal, second.Journal);
        Assert.NotEqual(first.TraceHash, other.TraceHash);
        Assert.True(first.Metrics.Events > 3_000, $"the busy script must have done real work, not {first.Metrics.Events} events");
        Assert.True(first.Metrics.Writes.Count > 15 && first.Metrics.Downs.Any(), "the script writes, and the crash is detected");
    }

    [Fact]
    public void A_small_cluster_converges_and_measures_each_write()
    {
        var sim = new ClusterSimulator(Options(8));
        sim.RunUntil(TimeSpan.FromSeconds(10));

        var version = sim.Write("n05", "role", "web");
        var took = sim.RunUntil(s => ClusterChecks.FindDivergence(s) is null, Second, TimeSpan.FromSeconds(30));

        Assert.NotNull(took);
        Assert.Empty(ClusterChecks.FindMisjudgedPeers(sim));
        Assert.All(sim.RunningNodes, n => Assert.Equal("web", n.State!.Nodes["n05"].Pairs.Single(p => p.Key == "role").Value.Value));
        var write = Assert.Single(sim.Metrics.Writes);
        Assert.Equal(version, write.Version);
        Assert.NotNull(write.PropagationMs);
        Assert.InRange(write.PropagationMs!.Value, 0, (long)took!.Value.TotalMilliseconds);
        Assert.Equal(write.PropagationMs, sim.Metrics.PropagationPercentileMs(50));
        Assert.Equal(write.PropagationMs / 1000.0, sim.Metrics.PropagationPercentileRounds(50));
        Assert.Equal(sim.Metrics.BytesPerNodePerRound, sim.Metrics.BytesPerNodePerSecond);
        Assert.True(sim.Metrics.BytesPerNodePerRound > 0);
        Assert.Equal(8, sim.RunningCount);
        Assert.Empty(sim.Metrics.Downs);
    }

    [Fact]
    public void A_crashed_node_is_reported_down_then_removed_and_never_comes_back()
    {
        var sim = new ClusterSimulator(Options(6));
        sim.RunUntil(TimeSpan.FromSeconds(10));
        var generation = sim.Node("n04").Generation;

        sim.Crash("n04");
        sim.RunFor(SimulationPresets.Chaos.Liveness.DownExpiry + TimeSpan.FromSeconds(30));

        Assert.False(sim.Node("n04").IsRunning);
        Assert.Null(sim.Node("n04").State);
        var downs = sim.Metrics.Downs.Where(e => e.Peer == "n04").ToArray();
        Assert.Equal(5, downs.Length);
        Assert.All(downs, e => Assert.False(e.IsFalsePositive));
        Assert.All(downs, e => Assert.Equal(generation, e.Generation));
        Assert.Equal(5, sim.Metrics.LivenessEvents.Count(e => e.Peer == "n04" && e.Transition == LivenessTransition.Removed));
        Assert.Empty(ClusterChecks.FindGhosts(sim));
        Assert.Empty(sim.Metrics.Resurrections);
        Assert.Contains(sim.Journal, line => line.Contains("n04@", StringComparison.Ordinal) && line.Contains("crashes", StringComparison.Ordinal));
    }

    [Fact]
    public void A_restart_comes_back_with_a_higher_generation_and_only_its_new_keys()
    {
        var sim = new ClusterSimulator(Options(6));
        sim.RunUntil(TimeSpan.FromSeconds(10));
        sim.Write("n02", "old", "1");
        sim.RunFor(TimeSpan.FromSeconds(10));
        var before = sim.Node("n02").Generation;

        sim.Restart("n02");
        sim.Write("n02", "new", "2");
        var took = sim.RunUntil(s => ClusterChecks.FindDivergence(s) is null && ClusterChecks.FindMisjudgedPeers(s).Count == 0, Second, TimeSpan.FromSeconds(60));

        Assert.NotNull(took);
        var after = sim.Node("n02").Generation;
        Assert.True(after > before);
        Assert.Equal(2, sim.Node("n02").Starts);
        foreach (var node in sim.RunningNodes)
        {
            var copy = node.State!.Nodes["n02"];
            Assert.Equal(after, copy.Generation);
            Assert.False(copy.TryGet("old", out _));
            Assert.True(copy.TryGet("new", out var v) && v.Value == "2");
        }

        Assert.True(sim.Metrics.Writes[0].Abandoned || sim.Metrics.Writes[0].PropagatedAtMs is not null);
        Assert.Empty(ClusterChecks.FindLostWrites(sim));
    }

    [Fact]
    public void A_graceful_leave_is_reported_as_left_never_down_and_the_node_is_removed_later()
    {
        var sim = new ClusterSimulator(Options(6));
        sim.RunUntil(TimeSpan.FromSeconds(10));

        sim.Leave("n01");
        Assert.True(sim.Node("n01").IsLeaving);
        sim.RunFor(SimulationPresets.Chaos.Liveness.LeftExpiry + TimeSpan.FromSeconds(20));

        Assert.False(sim.Node("n01").IsRunning);
        Assert.True(sim.Node("n01").HasLeft);
        Assert.Equal(5, sim.Metrics.LivenessEvents.Count(e => e.Peer == "n01" && e.Transition == LivenessTransition.Left));
        Assert.DoesNotContain(sim.Metrics.Downs, e => e.Peer == "n01");
        Assert.Equal(5, sim.Metrics.LivenessEvents.Count(e => e.Peer == "n01" && e.Transition == LivenessTransition.Removed));
        Assert.Empty(ClusterChecks.FindGhosts(sim));
    }

    [Fact]
    public void A_key_with_a_time_to_live_expires_everywhere_and_its_tombstone_is_collected()
    {
        var sim = new ClusterSimulator(Options(5));
        sim.RunUntil(TimeSpan.FromSeconds(5));

        sim.Write("n03", "lease", "held", TimeSpan.FromSeconds(10));
        sim.RunFor(TimeSpan.FromSeconds(5));
        Assert.All(sim.RunningNodes, n => Assert.True(n.State!.Nodes["n03"].TryGet("lease", out var v) && !v.IsDeleted));

        sim.RunFor(TimeSpan.FromSeconds(15));
        Assert.All(sim.RunningNodes, n => Assert.True(n.State!.Nodes["n03"].TryGet("lease", out var v) && v.IsDeleted));
        Assert.True(ClusterChecks.CountTombstones(sim) >= 5);

        sim.RunFor(SimulationPresets.Chaos.TombstoneGracePeriod + TimeSpan.FromSeconds(5));
        Assert.Equal(0, ClusterChecks.CountTombstones(sim));
        Assert.Null(ClusterChecks.FindDivergence(sim));
    }

    [Fact]
    public void Datagrams_over_the_network_limit_are_dropped_and_counted()
    {
        // The nodes believe 4000-byte datagrams fit; the path carries 600. Three 500-byte values only travel together.
        var options = Options(3) with { MaxDatagramBytes = 600, NodeSettings = SimulationPresets.Chaos with { MaxDatagramBytes = 4000, EagerPush = false } };
        var sim = new ClusterSimulator(options);
        sim.RunUntil(TimeSpan.FromSeconds(5));

        foreach (var key in new[] { "a", "b", "c" })
            sim.Write("n00", key, new string('x', 500));
        sim.RunFor(TimeSpan.FromSeconds(10));

        Assert.True(sim.Network.Totals().Oversized >= 10, "every round's delta from n00 is too big for the path");
        Assert.Equal(0, sim.Node("n01").State!.Nodes["n00"].MaxVersion);
        Assert.NotNull(ClusterChecks.FindDivergence(sim));
    }

    [Fact]
    public void Operations_on_a_stopped_node_are_refused_and_unknown_nodes_named()
    {
        var sim = new ClusterSimulator(Options(3));
        sim.RunUntil(TimeSpan.FromSeconds(5));
        sim.Crash("n01");

        Assert.Throws<InvalidOperationException>(() => sim.Write("n01", "k", "v"));
        Assert.Throws<InvalidOperationException>(() => sim.Crash("n01"));
        Assert.Throws<InvalidOperationException>(() => sim.Leave("n01"));
        var unknown = Assert.Throws<ArgumentException>(() => sim.Node("zz"));
        Assert.Contains("zz", unknown.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => sim.Write("n00", "", "v"));
    }

    [Fact]
    public void Scripted_actions_run_in_time_order_and_the_clock_stops_where_asked()
    {
        var sim = new ClusterSimulator(Options(2));
        var seen = new List<long>();
        sim.At(TimeSpan.FromSeconds(3), s => seen.Add(s.NowMs));
        sim.At(TimeSpan.FromSeconds(1), s => seen.Add(s.NowMs));
        sim.At(TimeSpan.FromSeconds(1), s => seen.Add(s.NowMs + 1));

        sim.RunUntil(TimeSpan.FromSeconds(2));
        Assert.Equal([1000, 1001], seen);
        Assert.Equal(2000, sim.NowMs);

        sim.RunFor(TimeSpan.FromSeconds(2));
        Assert.Equal([1000, 1001, 3000], seen);
        Assert.Equal(TimeSpan.FromSeconds(4), sim.Now);
    }
}
