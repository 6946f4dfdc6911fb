using System.Diagnostics;
using System.Globalization;
using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Simulation.Experiments;

/// <summary>
/// Van Renesse et al.'s flow-control experiment (LADIS 2008, "Efficient Reconciliation and Flow Control for
/// Anti-Entropy Protocols") on the simulator: one round per second, no eager push (the paper has none), a message
/// budget from <see cref="PaperOptions.BudgetFromSeconds"/>, the update rate doubled for a stretch, updates stopping,
/// and the maximum staleness sampled every second, under scuttle-depth or scuttle-breadth.
/// </summary>
internal static class PaperExperiment
{
    /// <summary>The node settings of the experiment: one-second rounds, whole datagrams allowed, no eager push, a patient failure detector.</summary>
    public static ScuttlebuttSettings NodeSettings { get; } = ScuttlebuttSettings.Lan with
    {
        GossipInterval = TimeSpan.FromSeconds(1),
        MaxDatagramBytes = WireFormat.MaximumBudget,
        EagerPush = false,
        Liveness = ScuttlebuttSettings.Lan.Liveness with
        {
            // Heartbeats ride on digests, which compete for room under a tight budget: nobody should be judged down.
            Detector = ScuttlebuttSettings.Lan.Liveness.Detector with
            {
                MinStdDeviation = TimeSpan.FromMilliseconds(500),
                AcceptableHeartbeatPause = TimeSpan.FromSeconds(30),
                FirstHeartbeatEstimate = TimeSpan.FromSeconds(1),
            },
        },
    };

    /// <summary>Runs the experiment once with <paramref name="ordering"/>.</summary>
    public static PaperRun Run(PaperOptions options, DeltaOrdering ordering)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Participants, 2, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.KeysPerParticipant, nameof(options));
        var watch = Stopwatch.StartNew();
        var n = options.Participants;
        var sim = new ClusterSimulator(new SimulationOptions
        {
            Seed = options.Seed,
            NodeCount = n,
            NodeSettings = NodeSettings,
            SeedNodes = Math.Min(3, n),
            StartSpread = TimeSpan.FromSeconds(1),
            MaxDatagramBytes = WireFormat.MaximumBudget,
            DeltaOrdering = ordering,
        });
        var random = new Random(options.Seed);
        // Per owner: the versions of its updates and when each was made, in order (versions only grow).
        var versions = new List<long>[n];
        var times = new List<long>[n];
        for (var i = 0; i < n; i++)
        {
            versions[i] = new List<long>();
            times[i] = new List<long>();
        }

        long updates = 0;
        void Update(ClusterSimulator s, int owner)
        {
            var node = s.Nodes[owner];
            if (!node.IsRunning)
                return;
            var key = "k" + random.Next(options.KeysPerParticipant).ToString(CultureInfo.InvariantCulture);
            var version = s.Write(node.Id, key, random.Next().ToString("x8", CultureInfo.InvariantCulture));
            versions[owner].Add(version);
            times[owner].Add(s.NowMs);
            updates++;
        }

        // Every participant writes its keys once it runs (nodes start within the first second).
        sim.At(TimeSpan.FromSeconds(1), s =>
        {
            for (var owner = 0; owner < n; owner++)
            {
                for (var k = 0; k < options.KeysPerParticipant; k++)
                {
                    var version = s.Write(s.Nodes[owner].Id, "k" + k.ToString(CultureInfo.InvariantCulture), "0");
                    versions[owner].Add(version);
                    times[owner].Add(s.NowMs);
                    updates++;
                }
            }
        });
        sim.At(TimeSpan.FromSeconds(options.BudgetFromSeconds), s => s.SetMessageBudget(options.BudgetBytes));

        var samples = new List<PaperSample>();
        var duration = (int)Math.Ceiling(options.DurationSeconds);
        for (var second = 1; second <= duration; second++)
        {
            // Updates in this second: Poisson-like arrivals at the current rate, each at a random owner and instant.
            var start = second - 1;
            if (start >= 1 && start < options.StopUpdatesSeconds)
            {
                var rate = options.UpdatesPerSecond * (start >= options.DoubleFromSeconds && start < options.DoubleUntilSeconds ? 2 : 1);
                var expected = rate * n;
                var count = (int)Math.Floor(expected) + (random.NextDouble() < expected - Math.Floor(expected) ? 1 : 0);
                for (var u = 0; u < count; u++)
                {
                    var owner = random.Next(n);
                    sim.At(TimeSpan.FromSeconds(start + random.NextDouble()), s => Update(s, owner));
                }
            }

            var bytes0 = sim.Metrics.BytesSent;
            var rounds0 = sim.Metrics.NodeRounds;
            sim.RunUntil(TimeSpan.FromSeconds(second));
            var (staleness, stale) = Measure(sim, versions, times);
            var rounds = sim.Metrics.NodeRounds - rounds0;
            samples.Add(new PaperSample(second, staleness, stale, rounds == 0 ? 0 : (sim.Metrics.BytesSent - bytes0) / (double)rounds));
        }

        var beforeBudget = samples.Where(s => s.Seconds <= options.BudgetFromSeconds).ToArray();
        var underLoad = samples.Where(s => s.Seconds > options.BudgetFromSeconds && s.Seconds <= options.StopUpdatesSeconds).ToArray();
        var caughtUp = samples.FirstOrDefault(s => s.Seconds > options.StopUpdatesSeconds && s.StalePairs == 0);
        return new PaperRun(
            ordering,
            samples,
            updates,
            beforeBudget.Select(s => s.MaxStalenessSeconds).DefaultIfEmpty(0).Max(),
            underLoad.Select(s => s.MaxStalenessSeconds).DefaultIfEmpty(0).Max(),
            underLoad.Select(s => s.MaxStalenessSeconds).DefaultIfEmpty(0).Average(),
            underLoad.Select(s => (double)s.StalePairs).DefaultIfEmpty(0).Average(),
            caughtUp?.Seconds,
            watch.Elapsed.TotalSeconds);
    }

    /// <summary>The maximum staleness in seconds and the number of stale observer/owner pairs right now.</summary>
    private static (double Staleness, int Stale) Measure(ClusterSimulator sim, List<long>[] versions, List<long>[] times)
    {
        var now = sim.NowMs;
        long oldest = now;
        var stale = 0;
        foreach (var observer in sim.Nodes)
        {
            if (observer.State is not { } view)
                continue;
            for (var owner = 0; owner < sim.Nodes.Count; owner++)
            {
                var subject = sim.Nodes[owner];
                if (subject == observer || versions[owner].Count == 0)
                    continue;
                var seen = view.TryGetNode(subject.Id, out var held) && held.Generation == subject.Generation ? held.MaxVersion : 0;
                if (seen >= versions[owner][^1])
                    continue;
                stale++;
                // The first update the observer lacks is the first with a version above what it holds.
                var index = versions[owner].BinarySearch(seen + 1);
                if (index < 0)
                    index = ~index;
                oldest = Math.Min(oldest, times[owner][index]);
            }
        }

        return ((now - oldest) / 1000.0, stale);
    }
}
