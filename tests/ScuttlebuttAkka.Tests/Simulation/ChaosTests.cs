using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Simulation;
using Xunit.Abstractions;

namespace ScuttlebuttAkka.Tests.Simulation;

/// <summary>
/// Deterministic chaos scenarios in virtual time (one round = one virtual second). Each runs a cluster through
/// faults while nodes keep writing, stops the faults, and then checks that every running node holds the same view
/// within a stated number of rounds, that no write of a node that stayed up is lost, that removed nodes stay gone,
/// that tombstones are collected, and that the failure detector never declared a running, reachable peer down.
/// A failure message starts with the seed; docs/testing.md says how to replay it.
/// </summary>
public sealed class ChaosTests(ITestOutputHelper output)
{
    private static readonly LinkFaults Moderate = new()
    {
        Loss = 0.1,
        Duplication = 0.05,
        Delay = DelayDistribution.Uniform(TimeSpan.Zero, TimeSpan.FromSeconds(1)),
    };

    /// <summary>
    /// The failure detector of the partition scenarios tolerates ten silent rounds: until the far side is judged
    /// down, about half of every node's rounds go to peers that cannot answer and half of the exchanges it used to
    /// receive stop, so news of the peers on its own side arrives at half the rate, with longer gaps; five rounds
    /// (the base preset) let a same-side peer be declared down in two seeds out of four.
    /// </summary>
    private static readonly ScuttlebuttSettings PartitionSettings = SimulationPresets.WithPause(TimeSpan.FromSeconds(10));

    private static string[] Ids(int from, int count) => Enumerable.Range(from, count).Select(i => $"n{i:D2}").ToArray();

    /// <summary>
    /// 30% loss, 10% duplication, 10% reordering and delays up to three rounds on every link for 200 s. No node
    /// crashes, so any down is false. Detector: a pause of 15 rounds on top of the mean. News of a peer's heartbeat
    /// reaches an observer through relays, each an exchange whose two datagrams both survive only half the time and
    /// take up to 3 s each, so the freshest news an observer holds lags by a varying number of rounds; after a lucky
    /// fresh copy it hears nothing newer until the rest catch up. Measured silences reach 10 rounds in steady state and
    /// 16 while the cluster forms; 12 rounds was the smallest pause with no false down over eight seeds.
    /// </summary>
    [Theory]
    [InlineData(2024)]
    [InlineData(7)]
    public void Fifty_nodes_under_heavy_loss_duplication_reordering_and_delay_converge_without_false_downs(int seed)
    {
        var run = new ChaosRun(output, new SimulationOptions
        {
            Seed = seed,
            NodeCount = 50,
            NodeSettings = SimulationPresets.WithPause(TimeSpan.FromSeconds(15)),
            StartSpread = TimeSpan.FromSeconds(10),
            Faults = new LinkFaults
            {
                Loss = 0.3,
                Duplication = 0.1,
                Reordering = 0.1,
                ReorderWindow = TimeSpan.FromSeconds(1),
                Delay = DelayDistribution.Uniform(TimeSpan.Zero, TimeSpan.FromSeconds(3)),
            },
        });
        var sim = run.Simulator;
        run.WriteLoad(from: 15, until: 200, perSecond: 3);
        sim.At(TimeSpan.FromSeconds(200), s => s.SetFaults(LinkFaults.None));

        sim.RunUntil(TimeSpan.FromSeconds(200));
        var faulty = sim.Network.Totals();
        var rounds = run.Converge(withinRounds: 20);
        run.RunPastTombstoneGrace(lastWriteSecond: 200);

        run.AssertSettled(tombstonesCollected: true);
        run.AssertNoFalsePositives();
        Assert.Empty(sim.Metrics.Downs);
        Assert.Equal(50, sim.RunningCount);
        Assert.InRange(faulty.Lost, faulty.Sent * 0.28, faulty.Sent * 0.32);
        Assert.True(faulty.Duplicated > faulty.Sent / 20 && faulty.Reordered > faulty.Sent / 20, $"the faults must have been real: {faulty}");
        Assert.True(sim.Metrics.Writes.Count(w => w.IsDelete) > 10, "the load must include deletes");
        run.Report("loss", rounds);
    }

    /// <summary>
    /// Two halves cut off from each other for 60 s while both keep writing, then healed. Down expiry is 120 s, longer
    /// than the cut, so each side sees the other down but never removes it, and healing is plain reconciliation.
    /// Downs across the cut are expected; a down within one side would be a false positive.
    /// </summary>
    [Theory]
    [InlineData(77)]
    [InlineData(3)]
    public void A_partition_into_two_halves_for_sixty_seconds_heals_with_both_sides_writes(int seed)
    {
        var run = new ChaosRun(output, new SimulationOptions
        {
            Seed = seed,
            NodeCount = 50,
            NodeSettings = PartitionSettings with { Liveness = PartitionSettings.Liveness with { DownExpiry = TimeSpan.FromSeconds(120) }, RemovedPeerMemory = TimeSpan.FromSeconds(180) },
            StartSpread = TimeSpan.FromSeconds(10),
            Faults = Moderate,
        });
        var sim = run.Simulator;
        var left = Ids(0, 25);
        var right = Ids(25, 25);
        run.WriteLoad(from: 15, until: 120, perSecond: 2, writers: n => left.Contains(n.Id));
        run.WriteLoad(from: 15, until: 120, perSecond: 2, writers: n => right.Contains(n.Id));
        sim.At(TimeSpan.FromSeconds(40), s => s.Partition(left, right));
        sim.At(TimeSpan.FromSeconds(100), s => s.Heal());
        sim.At(TimeSpan.FromSeconds(120), s => s.SetFaults(LinkFaults.None));

        sim.RunUntil(TimeSpan.FromSeconds(99));
        Assert.NotNull(ClusterChecks.FindDivergence(sim)); // both sides wrote during the cut, so the views differ
        sim.RunUntil(TimeSpan.FromSeconds(120));
        var rounds = run.Converge(withinRounds: 20);
        run.RunPastTombstoneGrace(lastWriteSecond: 120);

        run.AssertSettled(tombstonesCollected: true);
        run.AssertNoFalsePositives();
        var downs = sim.Metrics.Downs.ToArray();
        Assert.Equal(2 * 25 * 25, downs.Length);
        Assert.All(downs, d => Assert.True(d.LinkCut && d.AtMs is > 40_000 and < 100_000, $"{d.Observer} declared {d.Peer} down at {d.AtMs} ms"));
        Assert.DoesNotContain(sim.Metrics.LivenessEvents, e => e.Transition == LivenessTransition.Removed);
        run.Report("partition", rounds);
    }

    /// <summary>
    /// Five crash-and-restart cycles (one of them down longer than the 20 s down expiry, so it is removed and rejoins
    /// as a new incarnation), one crash for good and two graceful leaves, under moderate loss, while the survivors
    /// write and delete. Removed incarnations must never come back (they are remembered for 60 s, and nobody gossips
    /// them by then).
    /// </summary>
    [Fact]
    public void Crash_restart_cycles_and_graceful_leaves_settle_with_no_ghosts_and_no_lost_writes()
    {
        var run = new ChaosRun(output, new SimulationOptions
        {
            Seed = 31337,
            NodeCount = 40,
            NodeSettings = SimulationPresets.Chaos,
            StartSpread = TimeSpan.FromSeconds(10),
            Faults = Moderate,
        });
        var sim = run.Simulator;
        run.WriteLoad(from: 15, until: 220, perSecond: 3);
        var cycles = new (string Node, int Crash, int Restart)[]
        {
            ("n05", 30, 40), ("n10", 60, 105), ("n15", 90, 98), ("n20", 130, 145), ("n25", 170, 180),
        };
        foreach (var (node, crash, restart) in cycles)
        {
            sim.At(TimeSpan.FromSeconds(crash), s => s.Crash(node));
            sim.At(TimeSpan.FromSeconds(restart), s => s.Restart(node));
        }

        sim.At(TimeSpan.FromSeconds(70), s => s.Crash("n30"));
        sim.At(TimeSpan.FromSeconds(80), s => s.Leave("n35"));
        sim.At(TimeSpan.FromSeconds(150), s => s.Leave("n36"));
        sim.At(TimeSpan.FromSeconds(220), s => s.SetFaults(LinkFaults.None));

        sim.RunUntil(TimeSpan.FromSeconds(220));
        var rounds = run.Converge(withinRounds: 20);
        run.RunPastTombstoneGrace(lastWriteSecond: 220);

        run.AssertSettled(tombstonesCollected: true);
        run.AssertNoFalsePositives();
        Assert.Equal(37, sim.RunningCount);
        Assert.All(cycles, c => Assert.Equal(2, sim.Node(c.Node).Starts));
        Assert.True(sim.Node("n35").HasLeft && sim.Node("n36").HasLeft);
        var removed = sim.Metrics.LivenessEvents.Where(e => e.Transition == LivenessTransition.Removed).Select(e => e.Peer).Distinct().Order().ToArray();
        Assert.Equal(["n10", "n30", "n35", "n36"], removed);
        Assert.DoesNotContain(sim.Metrics.Downs, d => d.Peer is "n35" or "n36");
        run.Report("crash-restart-leave", rounds);
    }

    /// <summary>
    /// One node dies for good while other nodes keep restarting, one every five seconds, each coming back empty and
    /// learning the cluster afresh. A newcomer that were handed the dead node would judge it alive for a detection
    /// time and keep it for a down expiry more, long enough to hand it to the next newcomer, and the chain would
    /// outlast everyone else's 60 s memory of removing it. It must stay gone.
    /// </summary>
    [Fact]
    public void A_dead_node_is_not_relayed_from_newcomer_to_newcomer_back_into_the_cluster()
    {
        var run = new ChaosRun(output, new SimulationOptions
        {
            Seed = 404,
            NodeCount = 20,
            NodeSettings = SimulationPresets.Chaos,
            StartSpread = TimeSpan.FromSeconds(5),
            Faults = Moderate,
        });
        var sim = run.Simulator;
        run.WriteLoad(from: 10, until: 200, perSecond: 1);
        sim.At(TimeSpan.FromSeconds(20), s => s.Crash("n19"));
        for (var t = 25; t < 200; t += 5)
        {
            var victim = $"n{3 + ((t / 5) % 16):D2}";
            sim.At(TimeSpan.FromSeconds(t), s => s.Restart(victim));
        }

        sim.At(TimeSpan.FromSeconds(200), s => s.SetFaults(LinkFaults.None));
        sim.RunUntil(TimeSpan.FromSeconds(200));
        var rounds = run.Converge(withinRounds: 20);
        run.RunPastTombstoneGrace(lastWriteSecond: 200);

        run.AssertSettled(tombstonesCollected: true);
        Assert.Empty(sim.Metrics.Resurrections);
        Assert.All(sim.RunningNodes, n => Assert.False(n.State!.Nodes.ContainsKey("n19")));
        Assert.Equal(19, sim.RunningCount);
        run.Report("dead node among newcomers", rounds);
    }

    /// <summary>
    /// A cut that lasts longer than the down expiry: each side removes the other and remembers it for 30 s, refusing
    /// its gossip. After the heal and that memory, the sides find each other again through the seeds (all on one
    /// side, contacted with the preset's small probability) and reconcile. Both sides stayed up, so their
    /// rediscovery is not a resurrection.
    /// </summary>
    [Fact]
    public void A_partition_outlasting_the_down_expiry_rejoins_after_the_removal_memory()
    {
        var run = new ChaosRun(output, new SimulationOptions
        {
            Seed = 5150,
            NodeCount = 20,
            NodeSettings = PartitionSettings with { RemovedPeerMemory = TimeSpan.FromSeconds(30) },
            StartSpread = TimeSpan.FromSeconds(5),
            Faults = Moderate,
        });
        var sim = run.Simulator;
        var left = Ids(0, 10);
        var right = Ids(10, 10);
        run.WriteLoad(from: 10, until: 100, perSecond: 1);
        sim.At(TimeSpan.FromSeconds(20), s => s.Partition(left, right));
        sim.At(TimeSpan.FromSeconds(80), s => s.Heal());
        sim.At(TimeSpan.FromSeconds(100), s => s.SetFaults(LinkFaults.None));

        sim.RunUntil(TimeSpan.FromSeconds(80));
        Assert.All(sim.RunningNodes, n => Assert.Equal(10, n.State!.Nodes.Count));
        sim.RunUntil(TimeSpan.FromSeconds(100));
        var rounds = run.Converge(withinRounds: 120);
        run.RunPastTombstoneGrace(lastWriteSecond: 100);

        run.AssertSettled(tombstonesCollected: true);
        run.AssertNoFalsePositives();
        Assert.Equal(2 * 10 * 10, sim.Metrics.LivenessEvents.Count(e => e.Transition == LivenessTransition.Removed));
        run.Report("long partition", rounds);
    }
}
