using ScuttlebuttAkka.Bench.Clusters;
using ScuttlebuttAkka.Bench.Reporting;

namespace ScuttlebuttAkka.Bench.Scenarios;

/// <summary>Runs a plan's scenarios, in an order that keeps them from disturbing one another, on one cluster.</summary>
internal static class Suite
{
    /// <summary>
    /// Forms a cluster of <paramref name="spec"/>'s size, then: idle cost (first, while the cluster holds exactly its
    /// nodes), propagation, discovery and leave, the idle watch, and the crash last (a down node changes what
    /// everyone gossips). Stops early, with the reason in the result, when the cluster does not form.
    /// </summary>
    public static async Task<SuiteResult> RunAsync(ClusterFactory factory, ClusterSpec spec, SuitePlan plan, IBenchProgress progress, CancellationToken cancellationToken)
    {
        await using var cluster = factory(spec);
        progress.Line($"--- {cluster.Description}, {spec.Nodes} nodes");
        var context = new ScenarioContext(cluster, new Random(spec.Seed), progress, spec.Interval, plan.Timeout, cancellationToken);
        var crashed = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        var left = new HashSet<string>(StringComparer.Ordinal);
        var m = plan.Measurements;

        var formation = await Formation.RunAsync(context, spec.Nodes, plan.WaitForAdmission).ConfigureAwait(false);
        if (formation.FormedMs is null)
            return Finish(null, null, null, null, $"the cluster did not form within {plan.Timeout.TotalSeconds:0} s");

        var idle = m.HasFlag(Measurements.IdleCost)
            ? await IdleCost.RunAsync(context, plan.IdleWindow, settle: TimeSpan.FromSeconds(2)).ConfigureAwait(false)
            : null;
        var propagation = m.HasFlag(Measurements.Propagation)
            ? await Propagation.RunAsync(context, plan.Trials).ConfigureAwait(false)
            : null;
        MembershipChurnResult? churn = null;
        if (m.HasFlag(Measurements.Discovery))
        {
            var before = cluster.RunningNodes.ToHashSet(StringComparer.Ordinal);
            churn = await MembershipChurn.RunAsync(context, plan.ChurnTrials, m.HasFlag(Measurements.Leave)).ConfigureAwait(false);
            foreach (var id in cluster.Log.OfKind(ObservationKind.Joined).Select(o => o.Peer).Where(p => !before.Contains(p)))
                left.Add(id);
        }

        if (m.HasFlag(Measurements.IdleWatch))
        {
            var stage = progress.Stage($"false-positive watch, {plan.IdleWindow.TotalSeconds:0} s", 1);
            await cluster.DelayAsync(plan.IdleWindow, cancellationToken).ConfigureAwait(false);
            stage.Complete();
            progress.Line($"idle watch: {FalsePositives.Count(cluster.Log, crashed, left).Count} false positives in {plan.IdleWindow.TotalSeconds:0} s idle");
        }

        DetectionResult? detection = null;
        if (m.HasFlag(Measurements.Detection))
        {
            var t = cluster.Now;
            detection = await FailureDetection.RunAsync(context).ConfigureAwait(false);
            crashed[detection.Victim] = t;
        }

        return Finish(idle, propagation, churn, detection, null);

        SuiteResult Finish(IdleCostResult? idle, PropagationResult? propagation, MembershipChurnResult? churn, DetectionResult? detection, string? failure)
        {
            var falsePositives = FalsePositives.Count(cluster.Log, crashed, left);
            progress.Line($"false positives: {falsePositives.Count} over {cluster.Now.TotalSeconds:0} s" +
                          (falsePositives.Count > 0
                              ? $", {falsePositives.Pairs} observer/peer pairs, between {falsePositives.FirstMs:0} and {falsePositives.LastMs:0} ms (" + string.Join("; ", falsePositives.Examples.Take(3)) + ")"
                              : ""));
            if (failure is not null)
                progress.Line($"stopped early: {failure}");
            return new SuiteResult(cluster.Description, formation, idle, propagation, churn, detection, falsePositives, cluster.Now.TotalSeconds, failure);
        }
    }
}
