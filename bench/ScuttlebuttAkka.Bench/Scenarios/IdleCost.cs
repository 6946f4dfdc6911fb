using System.Diagnostics;

namespace ScuttlebuttAkka.Bench.Scenarios;

/// <summary>
/// Measures process CPU time and bytes sent while the cluster only gossips (no writes). The whole process hosts the
/// nodes, so its CPU time is theirs, plus the runtime's own (GC, timers), which is part of what a node costs.
/// </summary>
internal static class IdleCost
{
    /// <summary>Lets the cluster settle for <paramref name="settle"/>, then measures for <paramref name="window"/>.</summary>
    public static async Task<IdleCostResult> RunAsync(ScenarioContext context, TimeSpan window, TimeSpan settle)
    {
        var cluster = context.Cluster;
        var stage = context.Progress.Stage($"idle cost, {window.TotalSeconds:0} s window", 2);
        await cluster.DelayAsync(settle, context.CancellationToken).ConfigureAwait(false);
        stage.Step();
        var nodes = cluster.RunningNodes.Count;
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var bytes0 = cluster.BytesSent;
        var t0 = cluster.Now;
        await cluster.DelayAsync(window, context.CancellationToken).ConfigureAwait(false);
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpu0;
        var seconds = (cluster.Now - t0).TotalSeconds;
        var bytes = cluster.BytesSent - bytes0;
        stage.Complete();
        var result = new IdleCostResult(nodes, seconds, cpu.TotalMilliseconds / nodes / seconds, bytes / nodes / seconds);
        context.Progress.Line($"idle cost: {result.CpuMsPerNodePerSecond:0.00} ms CPU and " +
                              (result.BytesPerNodePerSecond is { } b ? $"{b / 1024:0.0} KB" : "(uncounted) bytes") +
                              $" sent per node per second ({nodes} nodes, {seconds:0.0} s)");
        return result;
    }
}
