using ScuttlebuttAkka.Bench.Clusters;
using ScuttlebuttAkka.Bench.Reporting;

namespace ScuttlebuttAkka.Bench.Scenarios;

/// <summary>What every scenario works with: the cluster, a seeded random source for its choices, progress, limits.</summary>
/// <param name="Cluster">The cluster under test.</param>
/// <param name="Random">Seeded; picks writers, victims and gaps.</param>
/// <param name="Progress">Where progress and findings go.</param>
/// <param name="Interval">The cluster's gossip interval (timeouts and gaps scale with it).</param>
/// <param name="Timeout">The longest any one wait may take before the scenario reports a timeout.</param>
/// <param name="CancellationToken">Stops the run.</param>
internal sealed record ScenarioContext(
    IClusterUnderTest Cluster,
    Random Random,
    IBenchProgress Progress,
    TimeSpan Interval,
    TimeSpan Timeout,
    CancellationToken CancellationToken)
{
    /// <summary>Picks a running node other than the first one (the seed), so seeding keeps working.</summary>
    public string PickNonSeed()
    {
        var running = Cluster.RunningNodes;
        return running.Count == 1 ? running[0] : running[1 + Random.Next(running.Count - 1)];
    }

    /// <summary>Waits a random fraction of an interval or more, so trials do not start in step with the rounds.</summary>
    public Task GapAsync() => Cluster.DelayAsync(Interval * (1 + Random.NextDouble()), CancellationToken);
}
