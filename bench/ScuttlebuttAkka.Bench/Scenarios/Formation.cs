using ScuttlebuttAkka.Bench.Clusters;

namespace ScuttlebuttAkka.Bench.Scenarios;

/// <summary>Starts the cluster's nodes one after another and measures until all know all.</summary>
internal static class Formation
{
    /// <summary>Starts <paramref name="nodes"/> nodes and waits until every one has seen every other join.</summary>
    public static async Task<FormationResult> RunAsync(ScenarioContext context, int nodes, bool waitForAdmission = false)
    {
        var cluster = context.Cluster;
        var stage = context.Progress.Stage($"formation of {nodes} nodes", nodes + 1);
        var t0 = cluster.Now;
        for (var i = 0; i < nodes; i++)
        {
            await cluster.StartNodeAsync(context.CancellationToken).ConfigureAwait(false);
            stage.Step();
        }

        var started = cluster.Now - t0;
        var ids = cluster.RunningNodes;
        var formed = await cluster.WaitUntilAsync(() => AllKnowAll(cluster.Log, ObservationKind.Joined, ids), context.Timeout, context.CancellationToken).ConfigureAwait(false);
        double? formedMs = formed ? (LatestFirstSeen(cluster.Log, ObservationKind.Joined, ids) - t0).TotalMilliseconds : null;
        double? admittedMs = null;
        if (waitForAdmission && formed)
        {
            var admitted = await cluster.WaitUntilAsync(() => AllKnowAll(cluster.Log, ObservationKind.Admitted, ids), context.Timeout, context.CancellationToken).ConfigureAwait(false);
            admittedMs = admitted ? (LatestFirstSeen(cluster.Log, ObservationKind.Admitted, ids) - t0).TotalMilliseconds : null;
        }

        stage.Complete();
        context.Progress.Line(formedMs is { } ms
            ? $"formation: {nodes} nodes started in {started.TotalMilliseconds:0} ms; all knew all after {ms:0} ms"
            : $"formation: {nodes} nodes started in {started.TotalMilliseconds:0} ms; NOT formed within {context.Timeout.TotalSeconds:0} s");
        return new FormationResult(nodes, started.TotalMilliseconds, formedMs, admittedMs);
    }

    private static bool AllKnowAll(ObservationLog log, ObservationKind kind, IReadOnlyList<string> ids) =>
        ids.All(peer => log.CountSeen(kind, peer, ids.Where(o => o != peer)) == ids.Count - 1);

    private static TimeSpan LatestFirstSeen(ObservationLog log, ObservationKind kind, IReadOnlyList<string> ids) =>
        ids.Max(peer => log.FirstSeen(kind, peer).Where(kv => kv.Key != peer && ids.Contains(kv.Key)).Select(kv => kv.Value).DefaultIfEmpty(TimeSpan.Zero).Max());
}
