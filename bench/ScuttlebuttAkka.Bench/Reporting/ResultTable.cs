using System.Globalization;
using ScuttlebuttAkka.Bench.Scenarios;
using Spectre.Console;

namespace ScuttlebuttAkka.Bench.Reporting;

/// <summary>The closing table: one row per figure, one column per system measured, and the targets when there is one system.</summary>
internal static class ResultTable
{
    private static readonly (string Name, Func<SuiteResult, string> Value)[] Rows =
    {
        ("nodes", r => r.Formation.Nodes.ToString(CultureInfo.InvariantCulture)),
        ("start all nodes", r => Ms(r.Formation.StartMs)),
        ("formation (all know all)", r => r.Formation.FormedMs is { } f ? Ms(f) : "did not form"),
        ("formation (all Up, Akka)", r => r.Formation.AdmittedMs is { } a ? Ms(a) : "-"),
        ("new node known by all p50", r => r.Churn is { } c ? Ms(c.KnownByAll.P50Ms) : "-"),
        ("new node known by all p99", r => r.Churn is { } c ? Ms(c.KnownByAll.P99Ms) + TimedOut(c.DiscoveryTimedOut) : "-"),
        ("new node known by all max", r => r.Churn is { } c ? Ms(c.KnownByAll.MaxMs) : "-"),
        ("update to all p50", r => r.Propagation is { } p ? Ms(p.ToAll.P50Ms) : "-"),
        ("update to all p99", r => r.Propagation is { } p ? Ms(p.ToAll.P99Ms) + TimedOut(p.TimedOut) : "-"),
        ("update to all max", r => r.Propagation is { } p ? Ms(p.ToAll.MaxMs) : "-"),
        ("update to one node p50", r => r.Propagation is { } p ? Ms(p.PerNode.P50Ms) : "-"),
        ("crash: first down report", r => r.Detection?.FirstMs is { } v ? Ms(v) : "-"),
        ("crash: median down report", r => r.Detection?.MedianMs is { } v ? Ms(v) : "-"),
        ("crash: last down report", r => r.Detection is { } d ? d.LastMs is { } v ? Ms(v) : $"{d.Reported}/{d.Observers} reported" : "-"),
        ("false positives (live node down)", r => r.FalsePositives.Count.ToString(CultureInfo.InvariantCulture)),
        ("graceful leave, left at all p50", r => r.Churn is { LeftAtAll.Count: > 0 } c ? Ms(c.LeftAtAll.P50Ms) : "-"),
        ("graceful leave, left at all max", r => r.Churn is { LeftAtAll.Count: > 0 } c ? Ms(c.LeftAtAll.MaxMs) + TimedOut(c.LeaveTimedOut) : "-"),
        ("idle CPU per node per second", r => r.IdleCost is { } i ? i.CpuMsPerNodePerSecond is { } c ? $"{c:0.00} ms" : "n/a (virtual time)" : "-"),
        ("idle bytes per node per second", r => r.IdleCost?.BytesPerNodePerSecond is { } b ? $"{b / 1024:0.0} KB" : r.IdleCost is null ? "-" : "not counted"),
        ("run length", r => $"{r.RunSeconds:0} s"),
    };

    /// <summary>Prints the table for <paramref name="report"/>.</summary>
    public static void Print(BenchReport report)
    {
        // Redirected output is measured as 80 columns, which wraps every row; a file or pipe has room.
        if (Console.IsOutputRedirected && AnsiConsole.Profile.Width < 140)
            AnsiConsole.Profile.Width = 140;
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(
            $"{report.Command}: {report.Nodes} nodes, {report.IntervalMs:0} ms interval, transport {report.Transport}, seed {report.Seed}"));
        table.AddColumn("measurement");
        foreach (var result in report.Results)
            table.AddColumn(new TableColumn(Markup.Escape(result.System)).RightAligned());
        var withTargets = report.Results.Count == 1;
        if (withTargets)
            table.AddColumn("target (64 nodes, 100 ms)");
        foreach (var (name, value) in Rows)
        {
            var cells = new List<string> { name };
            cells.AddRange(report.Results.Select(value));
            if (withTargets)
                cells.Add(TargetFor(name, report.Targets));
            if (cells.Skip(1).Take(report.Results.Count).All(c => c == "-"))
                continue;
            table.AddRow(cells.Select(Markup.Escape).ToArray());
        }

        AnsiConsole.Write(table);
        foreach (var result in report.Results.Where(r => r.Failure is not null))
            AnsiConsole.WriteLine($"{result.System}: {result.Failure}");
    }

    private static string TargetFor(string row, IReadOnlyList<TargetCheck> targets)
    {
        var name = row switch
        {
            "update to all p99" => "update to all, p99",
            "new node known by all p99" => "new node known by all, p99",
            "crash: last down report" => "crashed node down at all",
            "false positives (live node down)" => "false positives",
            "idle CPU per node per second" => "idle CPU per node per second",
            "idle bytes per node per second" => "idle bytes sent per node per second",
            _ => null,
        };
        var check = targets.FirstOrDefault(t => t.Name == name);
        return check is null ? "" : $"{check.Target} {(check.Met switch { true => "met", false => "MISSED", null => "" })}".TrimEnd();
    }

    private static string Ms(double ms) => ms >= 10_000 ? $"{ms / 1000:0.0} s" : $"{ms:0} ms";

    private static string TimedOut(int n) => n > 0 ? $" ({n} timed out)" : "";
}
