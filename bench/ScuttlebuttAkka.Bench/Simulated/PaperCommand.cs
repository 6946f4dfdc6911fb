using System.CommandLine;
using ScottPlot;
using ScuttlebuttAkka.Bench.Cli;
using ScuttlebuttAkka.Bench.Reporting;
using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Simulation.Experiments;
using Spectre.Console;

namespace ScuttlebuttAkka.Bench.Simulated;

/// <summary><c>paper</c>: van Renesse et al.'s flow-control experiment on the simulator, scuttle-depth against scuttle-breadth.</summary>
internal static class PaperCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var command = new Command("paper", "On the simulator (virtual time): the experiment of van Renesse et al. (LADIS 2008): a message budget from 15 s, the update rate doubled from 25 s to 75 s, updates stop at 120 s; max staleness every second under scuttle-depth and scuttle-breadth.");
        var defaults = new PaperOptions();
        var participants = new Option<int>("--participants") { Description = "Participants.", DefaultValueFactory = _ => defaults.Participants };
        var keys = new Option<int>("--keys") { Description = "Keys per participant.", DefaultValueFactory = _ => defaults.KeysPerParticipant };
        var rate = new Option<double>("--rate") { Description = "Updates per participant per second (doubled from 25 s to 75 s).", DefaultValueFactory = _ => defaults.UpdatesPerSecond };
        var budget = new Option<int>("--budget") { Description = "Message budget in bytes from 15 s.", DefaultValueFactory = _ => defaults.BudgetBytes };
        var duration = new Option<double>("--duration") { Description = "Virtual seconds to run.", DefaultValueFactory = _ => defaults.DurationSeconds };
        var seed = new Option<int>("--seed") { Description = "Seed.", DefaultValueFactory = _ => defaults.Seed };
        var json = new Option<string?>("--json") { Description = "Where to write the JSON report (default bench/out/paper.json)." };
        var output = new Option<string?>("--out") { Description = "Folder for the plots (default bench/out)." };
        foreach (var o in new Option[] { participants, keys, rate, budget, duration, seed, json, output })
            command.Options.Add(o);
        command.SetAction(result =>
        {
            var root = Path.Combine(BenchOptionSet.RepositoryRoot(), "bench", "out");
            var options = defaults with
            {
                Participants = result.GetValue(participants),
                KeysPerParticipant = result.GetValue(keys),
                UpdatesPerSecond = result.GetValue(rate),
                BudgetBytes = result.GetValue(budget),
                DurationSeconds = result.GetValue(duration),
                Seed = result.GetValue(seed),
            };
            return Run(options, result.GetValue(json) ?? Path.Combine(root, "paper.json"), result.GetValue(output) ?? root);
        });
        return command;
    }

    private static int Run(PaperOptions options, string jsonPath, string outDirectory)
    {
        var machine = MachineInfo.Current();
        var started = DateTime.UtcNow;
        Console.WriteLine($"scuttlebutt bench paper (simulated, virtual time): {options.Participants} participants x {options.KeysPerParticipant} keys, " +
                          $"{options.UpdatesPerSecond} updates/participant/s (doubled {options.DoubleFromSeconds}-{options.DoubleUntilSeconds} s, stop {options.StopUpdatesSeconds} s), " +
                          $"budget {options.BudgetBytes} B from {options.BudgetFromSeconds} s, {options.DurationSeconds} s, seed {options.Seed}; {machine.Processors} CPUs, {machine.Runtime}, load {machine.LoadAverage}");
        var runs = new List<PaperRun>();
        foreach (var ordering in new[] { DeltaOrdering.Depth, DeltaOrdering.Breadth })
        {
            var run = PaperExperiment.Run(options, ordering);
            runs.Add(run);
            Console.WriteLine($"scuttle-{ordering.ToString().ToLowerInvariant()}: {run.Updates} updates, {run.WallSeconds:0.0} s real time");
        }

        var table = new Table().Title("Max staleness (s) and stale observer/owner pairs");
        foreach (var h in new[] { "ordering", "max before budget", "max under budget", "mean max under budget", "mean stale pairs", "caught up at (s)", "real s" })
            table.AddColumn(new TableColumn(h).RightAligned());
        foreach (var r in runs)
        {
            table.AddRow("scuttle-" + r.Ordering.ToString().ToLowerInvariant(), $"{r.MaxStalenessBeforeBudgetSeconds:0.0}", $"{r.MaxStalenessUnderLoadSeconds:0.0}",
                $"{r.MeanStalenessUnderLoadSeconds:0.0}", $"{r.MeanStalePairsUnderLoad:0}", r.CaughtUpSeconds is { } c ? $"{c:0}" : "never", $"{r.WallSeconds:0.0}");
        }

        AnsiConsole.Write(table);
        SimJson.Write(new PaperReport(string.Join(' ', Environment.GetCommandLineArgs().Skip(1)), options, started, machine, runs), jsonPath);
        Console.WriteLine($"json: {jsonPath}");
        foreach (var path in Plot(runs, options, outDirectory))
            Console.WriteLine($"plot: {path}");
        return 0;
    }

    private static IReadOnlyList<string> Plot(IReadOnlyList<PaperRun> runs, PaperOptions options, string directory)
    {
        var plot = SimPlot.Create();
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            var line = plot.Add.ScatterLine(run.Samples.Select(s => s.Seconds).ToArray(), run.Samples.Select(s => s.MaxStalenessSeconds).ToArray(), palette.GetColor(i));
            line.LineWidth = 2;
            line.LegendText = "scuttle-" + run.Ordering.ToString().ToLowerInvariant();
        }

        foreach (var (at, label) in new[] { (options.BudgetFromSeconds, "budget"), (options.DoubleFromSeconds, "rate x2"), (options.DoubleUntilSeconds, "rate x1"), (options.StopUpdatesSeconds, "updates stop") })
        {
            var mark = plot.Add.VerticalLine(at, 1, Colors.Gray);
            mark.LinePattern = LinePattern.Dotted;
            mark.Text = label;
        }

        plot.Title($"Max staleness, {options.Participants} participants, budget {options.BudgetBytes} B from {options.BudgetFromSeconds:0} s");
        plot.XLabel("time (virtual s)");
        plot.YLabel("max staleness (s)");
        plot.ShowLegend(Alignment.UpperLeft);
        return SimPlot.Save(plot, directory, "paper-staleness");
    }
}
