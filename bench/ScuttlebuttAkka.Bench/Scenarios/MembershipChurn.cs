using ScuttlebuttAkka.Bench.Clusters;
using ScuttlebuttAkka.Bench.Reporting;

namespace ScuttlebuttAkka.Bench.Scenarios;

/// <summary>
/// Adds a node, times until every existing node knows it, then (once it knows them all too) makes it leave gracefully
/// and times until every node reports it left; one trial at a time, so the cluster is back to its size after each.
/// </summary>
internal static class MembershipChurn
{
    /// <summary>Runs <paramref name="trials"/> join-then-leave trials.</summary>
    public static async Task<MembershipChurnResult> RunAsync(ScenarioContext context, int trials, bool measureLeave = true)
    {
        var cluster = context.Cluster;
        var stage = context.Progress.Stage($"discovery{(measureLeave ? " and leave" : "")}, {trials} trials", trials);
        var known = new List<double>();
        var left = new List<double>();
        var discoveryTimedOut = 0;
        var leaveTimedOut = 0;
        var asDown = 0;
        for (var trial = 0; trial < trials; trial++)
        {
            var existing = cluster.RunningNodes.ToArray();
            var joiner = await cluster.StartNodeAsync(context.CancellationToken).ConfigureAwait(false);
            var t0 = cluster.Now;
            var discovered = await cluster.WaitUntilAsync(
                () => cluster.Log.CountSeen(ObservationKind.Joined, joiner, existing) == existing.Length,
                context.Timeout,
                context.CancellationToken).ConfigureAwait(false);
            if (discovered)
                known.Add(existing.Max(o => (cluster.Log.FirstSeen(ObservationKind.Joined, joiner)[o] - t0).TotalMilliseconds));
            else
                discoveryTimedOut++;

            if (measureLeave)
            {
                // A member leaves after it has joined: once it knows every node too (discovery by the others can be
                // quicker than the newcomer learning the whole cluster, and a leave announced before that reaches
                // only the peers it knows, the rest hearing of it by gossip).
                await cluster.WaitUntilAsync(
                    () => existing.All(e => cluster.Log.FirstSeen(ObservationKind.Joined, e).ContainsKey(joiner)),
                    context.Timeout,
                    context.CancellationToken).ConfigureAwait(false);
                var t1 = cluster.Now;
                var leaving = cluster.LeaveAsync(joiner);
                var reported = await cluster.WaitUntilAsync(
                    () => cluster.Log.CountSeen(ObservationKind.Left, joiner, existing) == existing.Length,
                    context.Timeout,
                    context.CancellationToken).ConfigureAwait(false);
                await leaving.ConfigureAwait(false);
                if (reported)
                    left.Add(existing.Max(o => (cluster.Log.FirstSeen(ObservationKind.Left, joiner)[o] - t1).TotalMilliseconds));
                else
                    leaveTimedOut++;
                asDown += cluster.Log.CountSeen(ObservationKind.Down, joiner, existing);
            }
            else
            {
                await cluster.LeaveAsync(joiner).ConfigureAwait(false);
            }

            stage.Step();
            await context.GapAsync().ConfigureAwait(false);
        }

        stage.Complete();
        var k = Distribution.OfMs(known);
        var l = Distribution.OfMs(left);
        context.Progress.Line($"discovery: new node known by all p50 {k.P50Ms:0} ms, p99 {k.P99Ms:0} ms, max {k.MaxMs:0} ms over {known.Count} trials" +
                              (discoveryTimedOut > 0 ? $" ({discoveryTimedOut} timed out)" : ""));
        if (measureLeave)
        {
            context.Progress.Line($"leave: reported left by all p50 {l.P50Ms:0} ms, max {l.MaxMs:0} ms over {left.Count} trials" +
                                  (leaveTimedOut > 0 ? $" ({leaveTimedOut} timed out)" : "") + (asDown > 0 ? $"; {asDown} reports of down instead" : ""));
        }

        return new MembershipChurnResult(trials, discoveryTimedOut, k, leaveTimedOut, l, asDown);
    }
}
