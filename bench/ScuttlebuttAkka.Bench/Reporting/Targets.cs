using ScuttlebuttAkka.Bench.Scenarios;

namespace ScuttlebuttAkka.Bench.Reporting;

/// <summary>The project's targets for 64 nodes at 100 ms over UDP, checked against a suite's figures.</summary>
internal static class Targets
{
    /// <summary>Every target with what <paramref name="ours"/> measured.</summary>
    public static IReadOnlyList<TargetCheck> Check(SuiteResult ours)
    {
        var p = ours.Propagation;
        var c = ours.Churn;
        var d = ours.Detection;
        var i = ours.IdleCost;
        return new[]
        {
            new TargetCheck("update to all, p99", "<= 1000 ms", p is null ? "-" : $"{p.ToAll.P99Ms:0} ms", p is null ? null : p.TimedOut == 0 && p.ToAll.P99Ms <= 1000),
            new TargetCheck("new node known by all, p99", "<= 800 ms", c is null ? "-" : $"{c.KnownByAll.P99Ms:0} ms", c is null ? null : c.DiscoveryTimedOut == 0 && c.KnownByAll.P99Ms <= 800),
            new TargetCheck("crashed node down at all", "<= 3000 ms", d is null ? "-" : d.LastMs is { } last ? $"{last:0} ms" : "not all", d is null ? null : d.LastMs is <= 3000),
            new TargetCheck("false positives", "0", ours.FalsePositives.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), ours.FalsePositives.Count == 0),
            new TargetCheck("idle CPU per node per second", "<= 2 ms", i?.CpuMsPerNodePerSecond is { } cpu ? $"{cpu:0.00} ms" : "-", i?.CpuMsPerNodePerSecond is { } cpuMs ? cpuMs <= 2 : null),
            new TargetCheck("idle bytes sent per node per second", "<= 16 KB", i?.BytesPerNodePerSecond is { } b ? $"{b / 1024:0.0} KB" : "-", i?.BytesPerNodePerSecond is { } bytes ? bytes <= 16 * 1024 : null),
        };
    }
}
