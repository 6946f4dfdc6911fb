using ScuttlebuttAkka.Bench.Reporting;
using ScuttlebuttAkka.Bench.Scenarios;

namespace ScuttlebuttAkka.Bench.Cli;

/// <summary>The end of every measuring command: the table, the JSON report, the plot, and the exit code.</summary>
internal static class ReportOutput
{
    /// <summary>Prints and writes everything about <paramref name="results"/>; returns 0 when every suite ran to the end.</summary>
    public static int Finish(BenchOptions options, IReadOnlyList<SuiteResult> results, DateTime startedUtc, MachineInfo machine)
    {
        var report = new BenchReport(
            options.Command,
            string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
            options.Nodes,
            options.Interval.TotalMilliseconds,
            options.Seed,
            TransportName(options),
            startedUtc,
            machine,
            MachineInfo.ReadLoadAverage(),
            results,
            Targets.Check(results[0]));
        Console.WriteLine();
        ResultTable.Print(report);
        foreach (var target in report.Targets.Where(t => t.Met is not null))
            Console.WriteLine($"target {target.Name} {target.Target}: {target.Measured} {(target.Met == true ? "met" : "MISSED")}");
        JsonReport.Write(report, options.JsonPath);
        Console.WriteLine($"json: {options.JsonPath}");
        var title = $"Update propagation, {options.Nodes} nodes, {options.Interval.TotalMilliseconds:0} ms interval";
        foreach (var path in PropagationPlot.Write(results, options.OutDirectory, options.Command + "-propagation", title))
            Console.WriteLine($"plot: {path}");
        return results.All(r => r.Failure is null) ? 0 : 1;
    }

    /// <summary>The first lines of every measuring command: what runs where.</summary>
    public static void Header(BenchOptions options, MachineInfo machine) =>
        Console.WriteLine($"scuttlebutt bench {options.Command}: {options.Nodes} nodes, interval {options.Interval.TotalMilliseconds:0} ms, transport {TransportName(options)}, " +
                          $"{options.Trials} trials, seed {options.Seed}; {machine.Processors} CPUs, {machine.MemoryGiB} GiB, {machine.Os}, {machine.Runtime}, load {machine.LoadAverage}");

    private static string TransportName(BenchOptions options) => options.Transport == BenchTransport.Sim ? "sim" : "udp";
}
