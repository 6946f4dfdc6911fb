using ScuttlebuttAkka.Bench.Clusters;
using ScuttlebuttAkka.Bench.Reporting;

namespace ScuttlebuttAkka.Bench.Scenarios;

/// <summary>Crashes one node (no goodbye) and times the reports of it being down at every other node.</summary>
internal static class FailureDetection
{
    /// <summary>Crashes a random node other than the seed and waits for every survivor to report it.</summary>
    public static async Task<DetectionResult> RunAsync(ScenarioContext context)
    {
        var cluster = context.Cluster;
        var stage = context.Progress.Stage("failure detection", 1);
        var victim = context.PickNonSeed();
        var survivors = cluster.RunningNodes.Where(n => n != victim).ToArray();
        var t0 = cluster.Now;
        await cluster.CrashAsync(victim).ConfigureAwait(false);
        await cluster.WaitUntilAsync(
            () => cluster.Log.CountSeen(ObservationKind.Down, victim, survivors) == survivors.Length,
            context.Timeout,
            context.CancellationToken).ConfigureAwait(false);
        var seen = cluster.Log.FirstSeen(ObservationKind.Down, victim);
        var times = survivors.Where(seen.ContainsKey).Select(o => (seen[o] - t0).TotalMilliseconds).Order().ToArray();
        stage.Complete();
        var result = new DetectionResult(
            victim,
            survivors.Length,
            times.Length,
            times.Length > 0 ? times[0] : null,
            times.Length > 0 ? Distribution.Rank(times, 0.5) : null,
            times.Length == survivors.Length ? times[^1] : null);
        context.Progress.Line(result.LastMs is { } last
            ? $"failure detection: {victim} crashed; first report {result.FirstMs:0} ms, median {result.MedianMs:0} ms, last {last:0} ms"
            : $"failure detection: {victim} crashed; only {times.Length} of {survivors.Length} reported it within {context.Timeout.TotalSeconds:0} s");
        return result;
    }
}
