using System.CommandLine;
using System.Diagnostics;
using ScottPlot;
using ScuttlebuttAkka.Bench.Cli;
using ScuttlebuttAkka.Bench.Clusters;
using ScuttlebuttAkka.Bench.Reporting;
using ScuttlebuttAkka.Simulation.Experiments;
using Spectre.Console;

namespace ScuttlebuttAkka.Bench.Simulated;

/// <summary><c>scale</c>: rounds to propagate a write on simulated clusters of growing size, against the push-pull bound.</summary>
internal static class ScaleCommand
{
    // From this size on, formation alone takes over a hundred rounds, so fewer trials keep the run in minutes.
    private const int LargeSize = 1024;

    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var command = new Command("scale", "On the simulator (virtual time): rounds until a write reaches every node for N = 64, 256, 1024 by default (4096 needs about 20 GB: see bench/results/README.md), mean and p99 beside the push-pull bound log3(N) + ln(ln N), with eager push on and off; bytes per node per round.");
        var sizes = new Option<int[]>("--sizes") { Description = "Cluster sizes.", DefaultValueFactory = _ => new[] { 64, 256, 1024 }, AllowMultipleArgumentsPerToken = true };
        sizes.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int[]>() is { } v && v.Any(n => n is < 2 or > 65_000))
                r.AddError("--sizes must be between 2 and 65000.");
        });
        var eager = new Option<string>("--eager-push") { Description = "Eager push on, off or both (the bound is about pure gossip rounds).", DefaultValueFactory = _ => "both" };
        eager.AcceptOnlyFromAmong("on", "off", "both");
        var trials = new Option<int>("--trials") { Description = "Trials per size (fewer from 1024 nodes: see --large-trials).", DefaultValueFactory = _ => 20 };
        var largeTrials = new Option<int>("--large-trials") { Description = "Trials per size from 1024 nodes up.", DefaultValueFactory = _ => 10 };
        var interval = new Option<TimeSpan>("--interval") { Description = "Gossip interval (one round).", DefaultValueFactory = _ => TimeSpan.FromMilliseconds(100), CustomParser = BenchOptionSet.ParseDuration };
        var seed = new Option<int>("--seed") { Description = "Seed.", DefaultValueFactory = _ => 42 };
        var json = new Option<string?>("--json") { Description = "Where to write the JSON report (default bench/out/scale.json)." };
        var output = new Option<string?>("--out") { Description = "Folder for the plots (default bench/out)." };
        foreach (var o in new Option[] { sizes, eager, trials, largeTrials, interval, seed, json, output })
            command.Options.Add(o);
        command.SetAction(result =>
        {
            var root = Path.Combine(BenchOptionSet.RepositoryRoot(), "bench", "out");
            return Run(
                result.GetValue(sizes)!,
                result.GetValue(eager)!,
                result.GetValue(trials),
                result.GetValue(largeTrials),
                result.GetValue(interval),
                result.GetValue(seed),
                result.GetValue(json) ?? Path.Combine(root, "scale.json"),
                result.GetValue(output) ?? root);
        });
        return command;
    }

    private static int Run(int[] sizes, string eager, int trials, int largeTrials, TimeSpan interval, int seed, string jsonPath, string outDirectory)
    {
        var machine = MachineInfo.Current();
        var started = DateTime.UtcNow;
        var watch = Stopwatch.StartNew();
        Console.WriteLine($"scuttlebutt bench scale (simulated, virtual time): sizes {string.Join(", ", sizes)}, interval {interval.TotalMilliseconds:0} ms, " +
                          $"eager push {eager}, {trials} trials ({largeTrials} from 1024 nodes), seed {seed}; {machine.Processors} CPUs, {machine.Os}, {machine.Runtime}, load {machine.LoadAverage}");
        var settings = eager switch { "on" => new[] { true }, "off" => new[] { false }, _ => new[] { false, true } };
        var results = new List<ScaleResult>();
        foreach (var n in sizes)
        {
            foreach (var push in settings)
            {
                var nodeSettings = ScuttlebuttCluster.SettingsAt(interval) with { EagerPush = push };
                var r = ScaleExperiment.Run(new ScaleOptions(n, nodeSettings, n >= LargeSize ? largeTrials : trials, seed));
                results.Add(r);
                Console.WriteLine($"N={n} eager push {(push ? "on" : "off")}: formed in {r.FormationRounds:0.0} rounds; {r.Propagated}/{r.Trials} trials, mean {r.MeanRounds:0.00} rounds, " +
                                  $"p99 {r.P99Rounds:0.00}, bound {r.BoundRounds:0.00}; {r.BytesPerNodePerRound:0} B/node/round; {r.WallSeconds:0.0} s real time");
            }
        }

        var table = new Table().Title("Rounds until every node has a write (simulated)");
        foreach (var h in new[] { "N", "eager push", "formation rounds", "trials", "mean rounds", "p99 rounds", "max", "bound log3 N + ln ln N", "B/node/round", "real s" })
            table.AddColumn(new TableColumn(h).RightAligned());
        foreach (var r in results)
        {
            table.AddRow(r.Nodes.ToString(), r.EagerPush ? "on" : "off", $"{r.FormationRounds:0.0}", $"{r.Propagated}/{r.Trials}", $"{r.MeanRounds:0.00}",
                $"{r.P99Rounds:0.00}", $"{r.MaxRounds:0.00}", $"{r.BoundRounds:0.00}", $"{r.BytesPerNodePerRound:0}", $"{r.WallSeconds:0.0}");
        }

        AnsiConsole.Write(table);
        SimJson.Write(new ScaleReport(string.Join(' ', Environment.GetCommandLineArgs().Skip(1)), interval.TotalMilliseconds, seed, started, machine, watch.Elapsed.TotalSeconds, results), jsonPath);
        Console.WriteLine($"json: {jsonPath}");
        foreach (var path in Plot(results, sizes, outDirectory, interval))
            Console.WriteLine($"plot: {path}");
        Console.WriteLine($"total real time {watch.Elapsed.TotalSeconds:0.0} s");
        return results.All(r => r.Propagated == r.Trials) ? 0 : 1;
    }

    private static IReadOnlyList<string> Plot(IReadOnlyList<ScaleResult> results, int[] sizes, string directory, TimeSpan interval)
    {
        var plot = SimPlot.Create();
        var palette = new ScottPlot.Palettes.Category10();
        var ordered = sizes.Distinct().Order().ToArray();
        var log2 = ordered.Select(n => Math.Log2(n)).ToArray();
        var bound = plot.Add.ScatterLine(log2, ordered.Select(ScaleExperiment.Bound).ToArray(), Colors.Black);
        bound.LinePattern = LinePattern.Dashed;
        bound.LineWidth = 2;
        bound.LegendText = "bound log3(N) + ln(ln N)";
        var index = 0;
        foreach (var group in results.GroupBy(r => r.EagerPush))
        {
            var color = palette.GetColor(index++);
            var rows = group.OrderBy(r => r.Nodes).ToArray();
            var xs = rows.Select(r => Math.Log2(r.Nodes)).ToArray();
            var mean = plot.Add.Scatter(xs, rows.Select(r => r.MeanRounds).ToArray(), color);
            mean.LineWidth = 2;
            mean.MarkerSize = 8;
            mean.LegendText = $"eager push {(group.Key ? "on" : "off")}: mean";
            var p99 = plot.Add.Scatter(xs, rows.Select(r => r.P99Rounds).ToArray(), color);
            p99.LinePattern = LinePattern.Dotted;
            p99.MarkerSize = 6;
            p99.LegendText = $"eager push {(group.Key ? "on" : "off")}: p99";
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            log2.Select(x => new Tick(x, Math.Pow(2, x).ToString("0", System.Globalization.CultureInfo.InvariantCulture))).ToArray());
        plot.Title($"Rounds until every node has a write (simulated, {interval.TotalMilliseconds:0} ms rounds)");
        plot.XLabel("nodes N (log2 scale)");
        plot.YLabel("rounds");
        plot.Axes.SetLimitsY(0, results.Select(r => r.P99Rounds).Where(double.IsFinite).Append(ScaleExperiment.Bound(ordered[^1])).Max() * 1.15);
        plot.ShowLegend(Alignment.UpperLeft);
        return SimPlot.Save(plot, directory, "scale-rounds");
    }
}
