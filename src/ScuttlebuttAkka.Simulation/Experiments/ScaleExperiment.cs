using System.Diagnostics;
using System.Globalization;

namespace ScuttlebuttAkka.Simulation.Experiments;

/// <summary>
/// How many rounds a write takes to reach every node as the cluster grows: forms a simulated cluster, then writes at
/// random nodes one at a time and counts rounds (virtual time over the gossip interval) until every node has each write.
/// Nothing fails, so failure detection is off (<see cref="SimulationOptions.FailureDetection"/>): known peers are alive.
/// </summary>
internal static class ScaleExperiment
{
    /// <summary>The key the trials write.</summary>
    public const string ValueKey = "bench.value";

    /// <summary>The push-pull gossip bound in rounds for <paramref name="nodes"/> nodes: log3(N) + ln(ln N) (Karp et al.).</summary>
    public static double Bound(int nodes) => nodes < 3 ? 1 : (Math.Log(nodes) / Math.Log(3)) + Math.Log(Math.Log(nodes));

    /// <summary>Runs the experiment at one size.</summary>
    public static ScaleResult Run(ScaleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Nodes, 2, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Trials, nameof(options));
        var watch = Stopwatch.StartNew();
        var interval = options.NodeSettings.GossipInterval;
        var sim = new ClusterSimulator(new SimulationOptions
        {
            Seed = options.Seed,
            NodeCount = options.Nodes,
            NodeSettings = options.NodeSettings,
            // One interval of spread puts the nodes' rounds out of phase, as independent processes are.
            StartSpread = interval,
            MaxDatagramBytes = options.NodeSettings.MaxDatagramBytes,
            // No node fails here, so the detectors would change nothing but cost N² memory and checks.
            FailureDetection = false,
        });
        var random = new Random(unchecked((options.Seed * 31) + options.Nodes));

        TimeSpan? formed;
        double? formationRounds = null;
        if (options.FormByGossip)
        {
            formed = sim.RunUntil(s => AllKnowAll(s), interval, interval * options.MaxFormationRounds);
            formationRounds = formed is { } f ? f / interval : null;
        }
        else
        {
            sim.RunFor(interval); // every node has started (the start spread is one interval)
            sim.IntroduceAll();
            formed = AllKnowAll(sim) ? TimeSpan.Zero : null;
        }


        var rounds = new List<double>();
        var bytes0 = sim.Metrics.BytesSent;
        var rounds0 = sim.Metrics.NodeRounds;
        var checkEvery = interval / 20;
        for (var trial = 0; trial < options.Trials && formed is not null; trial++)
        {
            // A random gap of one to two rounds, so writes do not fall in step with the rounds.
            sim.RunFor(interval * (1 + random.NextDouble()));
            var writer = sim.Nodes[random.Next(sim.Nodes.Count)].Id;
            sim.Write(writer, ValueKey, "trial-" + trial.ToString(CultureInfo.InvariantCulture));
            var record = sim.Metrics.Writes[^1];
            sim.RunUntil(_ => record.PropagatedAtMs is not null, checkEvery, interval * options.MaxRoundsPerTrial);
            if (record.PropagationMs is { } ms)
                rounds.Add(ms / interval.TotalMilliseconds);
        }

        var nodeRounds = sim.Metrics.NodeRounds - rounds0;
        var sorted = rounds.Order().ToArray();
        return new ScaleResult(
            options.Nodes,
            options.NodeSettings.EagerPush,
            formationRounds,
            options.Trials,
            rounds.Count,
            sorted.Length == 0 ? double.NaN : sorted.Average(),
            Percentile(sorted, 0.99),
            sorted.Length == 0 ? double.NaN : sorted[^1],
            Bound(options.Nodes),
            nodeRounds == 0 ? 0 : (sim.Metrics.BytesSent - bytes0) / (double)nodeRounds,
            rounds,
            watch.Elapsed.TotalSeconds,
            options.FormByGossip);
    }

    /// <summary>The nearest-rank <paramref name="fraction"/> quantile of ascending <paramref name="sorted"/>; NaN when empty.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double fraction)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
            return double.NaN;
        var rank = (int)Math.Ceiling(fraction * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }

    private static bool AllKnowAll(ClusterSimulator sim)
    {
        var n = sim.Nodes.Count;
        foreach (var node in sim.Nodes)
        {
            if (node.State is not { } state || state.Nodes.Count < n)
                return false;
        }

        return true;
    }
}
