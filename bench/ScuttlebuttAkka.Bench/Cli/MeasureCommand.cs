using ScuttlebuttAkka.Bench.Clusters;
using ScuttlebuttAkka.Bench.Reporting;
using ScuttlebuttAkka.Bench.Scenarios;

namespace ScuttlebuttAkka.Bench.Cli;

/// <summary>The default command and its single-system subcommands: one suite on our cluster, over real UDP or on the simulator.</summary>
internal static class MeasureCommand
{
    /// <summary>The longest single wait: generous, so a slow machine reports figures rather than timeouts.</summary>
    public static TimeSpan TimeoutFor(TimeSpan interval) => TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(30).Ticks, interval.Ticks * 100));

    /// <summary>
    /// Runs the suite with <paramref name="measurements"/> on <paramref name="factory"/>'s cluster (by default the one
    /// <see cref="BenchOptions.Transport"/> names) and reports it.
    /// </summary>
    public static async Task<int> RunAsync(BenchOptions options, Measurements measurements, CancellationToken cancellationToken, ClusterFactory? factory = null)
    {
        var machine = MachineInfo.Current();
        var started = DateTime.UtcNow;
        ReportOutput.Header(options, machine);
        var spec = new ClusterSpec(options.Nodes, options.Interval, options.Seed);
        var plan = new SuitePlan(measurements, options.Trials, options.Trials, options.IdleWindow, TimeoutFor(options.Interval));
        // The simulator sizes its node table up front: the cluster, plus one slot per discovery trial's joiner.
        factory ??= options.Transport == BenchTransport.Sim ? SimulatedCluster.Factory(plan.ChurnTrials + 1) : ScuttlebuttCluster.Udp;
        var result = await ConsoleProgress.RunAsync(p => Suite.RunAsync(factory, spec, plan, p, cancellationToken)).ConfigureAwait(false);
        return ReportOutput.Finish(options, new[] { result }, started, machine);
    }
}
