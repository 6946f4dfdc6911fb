using System.Globalization;
using ScuttlebuttAkka.Bench.Clusters;
using ScuttlebuttAkka.Bench.Reporting;

namespace ScuttlebuttAkka.Bench.Scenarios;

/// <summary>A random node writes a fresh value; the time until each other node's events show it.</summary>
internal static class Propagation
{
    /// <summary>Runs <paramref name="warmUp"/> unmeasured trials, then <paramref name="trials"/> measured ones.</summary>
    public static async Task<PropagationResult> RunAsync(ScenarioContext context, int trials, int warmUp = 2)
    {
        var cluster = context.Cluster;
        var stage = context.Progress.Stage($"propagation, {trials} trials", trials + warmUp);
        var toAll = new List<double>();
        var perNode = new List<double>();
        var timedOut = 0;
        for (var trial = -warmUp; trial < trials; trial++)
        {
            var writer = cluster.RunningNodes[context.Random.Next(cluster.RunningNodes.Count)];
            var others = cluster.RunningNodes.Where(n => n != writer).ToArray();
            var value = string.Create(CultureInfo.InvariantCulture, $"trial-{trial}-{context.Random.Next():x8}");
            var t0 = cluster.Now;
            cluster.Write(writer, value);
            var done = await cluster.WaitUntilAsync(
                () => cluster.Log.CountSeen(ObservationKind.Updated, writer, others, value) == others.Length,
                context.Timeout,
                context.CancellationToken).ConfigureAwait(false);
            if (trial >= 0)
            {
                var seen = cluster.Log.FirstSeen(ObservationKind.Updated, writer, value);
                var times = others.Where(seen.ContainsKey).Select(o => (seen[o] - t0).TotalMilliseconds).ToArray();
                perNode.AddRange(times);
                if (done)
                    toAll.Add(times.Max());
                else
                    timedOut++;
            }

            stage.Step();
            await context.GapAsync().ConfigureAwait(false);
        }

        stage.Complete();
        var all = Distribution.OfMs(toAll);
        var each = Distribution.OfMs(perNode);
        context.Progress.Line($"propagation: to all p50 {all.P50Ms:0} ms, p99 {all.P99Ms:0} ms, max {all.MaxMs:0} ms over {toAll.Count} trials" +
                              (timedOut > 0 ? $" ({timedOut} timed out)" : "") + $"; per node p50 {each.P50Ms:0} ms");
        return new PropagationResult(trials, timedOut, all, each, toAll.ToArray(), perNode.ToArray());
    }
}
