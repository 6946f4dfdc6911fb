using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Simulation.Experiments;

namespace ScuttlebuttAkka.Tests.Simulation;

/// <summary>The evaluation's simulated experiments at tiny sizes: they run, and their results are sane.</summary>
public sealed class ExperimentTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Scale_at_32_nodes_propagates_every_write_within_a_generous_factor_of_the_bound(bool eagerPush)
    {
        var settings = ScuttlebuttSettings.Local with { GossipInterval = TimeSpan.FromMilliseconds(100), EagerPush = eagerPush };
        var result = ScaleExperiment.Run(new ScaleOptions(32, settings, Trials: 3, Seed: 7));

        Assert.NotNull(result.FormationRounds);
        Assert.Equal(3, result.Propagated);
        Assert.InRange(result.MeanRounds, 0, result.BoundRounds * 4);
        Assert.True(result.P99Rounds >= result.MeanRounds);
        Assert.True(result.BytesPerNodePerRound > 0);
    }

    [Fact]
    public void Paper_experiment_shortened_depth_keeps_staleness_no_worse_than_breadth_under_the_budget()
    {
        var options = new PaperOptions
        {
            Participants = 24,
            KeysPerParticipant = 8,
            UpdatesPerSecond = 2,
            BudgetBytes = 300,
            BudgetFromSeconds = 5,
            DoubleFromSeconds = 10,
            DoubleUntilSeconds = 20,
            StopUpdatesSeconds = 28,
            DurationSeconds = 40,
            Seed = 3,
        };

        var depth = PaperExperiment.Run(options, DeltaOrdering.Depth);
        var breadth = PaperExperiment.Run(options, DeltaOrdering.Breadth);

        Assert.Equal(40, depth.Samples.Count);
        Assert.Equal(depth.Updates, breadth.Updates);
        Assert.True(depth.MaxStalenessUnderLoadSeconds > 0);
        Assert.True(
            depth.MaxStalenessUnderLoadSeconds <= breadth.MaxStalenessUnderLoadSeconds,
            $"depth {depth.MaxStalenessUnderLoadSeconds:0.0} s, breadth {breadth.MaxStalenessUnderLoadSeconds:0.0} s");
        Assert.NotNull(depth.CaughtUpSeconds);
    }
}
