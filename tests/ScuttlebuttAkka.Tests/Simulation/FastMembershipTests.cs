using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Simulation;

namespace ScuttlebuttAkka.Tests.Simulation;

/// <summary>
/// Membership news that does not wait for rounds: a newcomer is passed on by the node it first talks to, and nodes
/// that suspect the same crashed peer agree on it before any one of them reaches the threshold alone. Virtual time,
/// the Local preset (100 ms rounds).
/// </summary>
public sealed class FastMembershipTests
{
    private static readonly ScuttlebuttSettings Local = ScuttlebuttSettings.Local;

    private static SimulationOptions Options(int nodes, ScuttlebuttSettings settings, int? started = null) => new()
    {
        Seed = 5,
        NodeCount = nodes,
        StartedNodes = started,
        NodeSettings = settings,
        StartSpread = TimeSpan.FromMilliseconds(50),
    };

    private static TimeSpan? TimeToBeKnownByAll(ClusterSimulator sim, string joiner)
    {
        sim.Start(joiner);
        return sim.RunUntil(
            s => s.RunningNodes.All(n => n.Id == joiner || n.State!.Nodes.ContainsKey(joiner)),
            TimeSpan.FromMilliseconds(1),
            TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_newcomer_is_known_by_every_node_within_one_round_of_its_start()
    {
        var sim = new ClusterSimulator(Options(12, Local, started: 11));
        sim.RunFor(TimeSpan.FromSeconds(5));
        var joiner = sim.Nodes[11].Id;

        var took = TimeToBeKnownByAll(sim, joiner);

        Assert.NotNull(took);
        Assert.True(took <= Local.GossipInterval, $"known by all after {took}, more than one round");
    }

    [Fact]
    public void Without_pushes_the_same_newcomer_takes_rounds()
    {
        // The control of the test above: the introduction rides on eager push, and without it gossip needs rounds.
        var sim = new ClusterSimulator(Options(12, Local with { EagerPush = false }, started: 11));
        sim.RunFor(TimeSpan.FromSeconds(5));
        var joiner = sim.Nodes[11].Id;

        var took = TimeToBeKnownByAll(sim, joiner);

        Assert.NotNull(took);
        Assert.True(took > Local.GossipInterval, $"known by all after {took} without pushes");
    }

    private static (List<PeerEvent.Down> Downs, ClusterSimulator Sim) CrashOne(ScuttlebuttSettings settings)
    {
        var sim = new ClusterSimulator(Options(16, settings));
        var downs = new List<PeerEvent.Down>();
        sim.PeerEventSink = e =>
        {
            if (e is PeerEvent.Down d)
                downs.Add(d);
        };
        sim.RunFor(TimeSpan.FromSeconds(20));
        Assert.Empty(downs);
        sim.Crash(sim.Nodes[6].Id);
        sim.RunFor(TimeSpan.FromSeconds(5));
        return (downs, sim);
    }

    [Fact]
    public void Nodes_that_suspect_the_same_crashed_peer_report_it_before_the_threshold()
    {
        var (downs, sim) = CrashOne(Local);

        var victim = sim.Nodes[6].Id;
        Assert.Equal(15, downs.Count);
        Assert.All(downs, d => Assert.Equal(victim, d.PeerId));
        Assert.Equal(15, downs.Select(d => d.NodeId).Distinct().Count());
        Assert.Contains(downs, d => d.Phi < Local.Liveness.Detector.Threshold);
        Assert.DoesNotContain(sim.Metrics.Downs, e => e.IsFalsePositive);
        // Every survivor said it suspects the victim, so it is the one suspicion pair in each view.
        Assert.All(sim.RunningNodes, n => Assert.Equal(14, n.State!.CountSuspicions(victim, sim.Nodes[6].Generation, _ => true)));
    }

    [Fact]
    public void With_corroborations_off_every_verdict_is_a_nodes_own_and_nothing_is_said()
    {
        var off = Local with { Liveness = Local.Liveness with { Detector = Local.Liveness.Detector with { Corroborations = 0 } } };
        var (downs, sim) = CrashOne(off);

        Assert.Equal(15, downs.Count);
        Assert.All(downs, d => Assert.True(d.Phi > off.Liveness.Detector.Threshold, $"{d.NodeId} reported at phi {d.Phi}"));
        Assert.All(sim.RunningNodes, n => Assert.DoesNotContain(n.State!.Nodes.Values.SelectMany(v => v.Pairs), p => ReservedKeys.IsSuspicion(p.Key)));
    }
}
