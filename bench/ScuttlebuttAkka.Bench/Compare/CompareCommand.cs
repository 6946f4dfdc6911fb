using ScuttlebuttAkka.Bench.Cli;
using ScuttlebuttAkka.Bench.Clusters;
using ScuttlebuttAkka.Bench.Reporting;
using ScuttlebuttAkka.Bench.Scenarios;

namespace ScuttlebuttAkka.Bench.Compare;

/// <summary>
/// Runs the same suite on our cluster and on Akka.Cluster + DistributedData of the same size and interval, one after
/// the other in this process, and prints them side by side.
/// </summary>
internal static class CompareCommand
{
    /// <summary>Runs both suites and reports them.</summary>
    public static async Task<int> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var machine = MachineInfo.Current();
        var started = DateTime.UtcNow;
        ReportOutput.Header(options, machine);
        var spec = new ClusterSpec(options.Nodes, options.Interval, options.Seed);
        // Akka's leave takes several of its leader rounds, and with its defaults whole seconds: fewer churn trials.
        var churnTrials = Math.Max(3, options.Trials / 4);
        var timeout = options.TheirDefaults ? TimeSpan.FromSeconds(60) : MeasureCommand.TimeoutFor(options.Interval);
        var ours = new SuitePlan(Measurements.All, options.Trials, churnTrials, options.IdleWindow, timeout);
        var theirs = ours with { WaitForAdmission = true };
        var results = await ConsoleProgress.RunAsync(async progress =>
        {
            var a = await Suite.RunAsync(ScuttlebuttCluster.Udp, spec, ours, progress, cancellationToken).ConfigureAwait(false);
            await SettleAsync(cancellationToken).ConfigureAwait(false);
            var b = await Suite.RunAsync(s => new AkkaDistributedDataCluster(s, options.TheirDefaults), spec, theirs, progress, cancellationToken).ConfigureAwait(false);
            return new[] { a, b };
        }).ConfigureAwait(false);
        return ReportOutput.Finish(options, results, started, machine);
    }

    /// <summary>Lets the first system's threads and garbage go before the second is measured.</summary>
    private static async Task SettleAsync(CancellationToken cancellationToken)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
    }
}
