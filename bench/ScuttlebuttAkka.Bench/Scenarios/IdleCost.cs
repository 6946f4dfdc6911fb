using System.Diagnostics;
using ScuttlebuttAkka.Bench.Clusters;

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
        var traffic0 = (cluster as ITrafficBreakdown)?.TrafficSnapshot();
        var t0 = cluster.Now;
        await cluster.DelayAsync(window, context.CancellationToken).ConfigureAwait(false);
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpu0;
        var seconds = (cluster.Now - t0).TotalSeconds;
        var bytes = cluster.BytesSent - bytes0;
        var traffic = Shares((cluster as ITrafficBreakdown)?.TrafficSnapshot(), traffic0, nodes, seconds);
        stage.Complete();
        var result = new IdleCostResult(nodes, seconds, cluster.RunsInRealTime ? cpu.TotalMilliseconds / nodes / seconds : null, bytes / nodes / seconds, traffic);
        context.Progress.Line("idle cost: " + (result.CpuMsPerNodePerSecond is { } c ? $"{c:0.00} ms CPU and " : "CPU not applicable (virtual time), ") +
                              (result.BytesPerNodePerSecond is { } b ? $"{b / 1024:0.0} KB" : "(uncounted) bytes") +
                              $" sent per node per second ({nodes} nodes, {seconds:0.0} s)");
        foreach (var share in traffic ?? Array.Empty<TrafficShare>())
        {
            context.Progress.Line($"  {share.Kind}: {share.DatagramsPerNodePerSecond:0.0} datagrams, {share.BytesPerNodePerSecond / 1024:0.00} KB per node per second; " +
                                  $"mean {share.MeanBytes:0} B, {share.MeanDigestEntries:0.0} digest entries, {share.MeanNodeDeltas:0.0} node deltas, {share.MeanPairs:0.0} pairs");
        }

        return result;
    }

    private static TrafficShare[]? Shares(IReadOnlyDictionary<string, TrafficCount>? after, IReadOnlyDictionary<string, TrafficCount>? before, int nodes, double seconds)
    {
        if (after is null)
            return null;
        return after
            .Select(kv => (kv.Key, Count: kv.Value.Since(before?.GetValueOrDefault(kv.Key) ?? default)))
            .Where(x => x.Count.Datagrams > 0)
            .OrderByDescending(x => x.Count.Bytes)
            .Select(x => new TrafficShare(
                x.Key,
                x.Count.Datagrams / (double)nodes / seconds,
                x.Count.Bytes / (double)nodes / seconds,
                x.Count.Bytes / (double)x.Count.Datagrams,
                x.Count.DigestEntries / (double)x.Count.Datagrams,
                x.Count.NodeDeltas / (double)x.Count.Datagrams,
                x.Count.Pairs / (double)x.Count.Datagrams))
            .ToArray();
    }
}
