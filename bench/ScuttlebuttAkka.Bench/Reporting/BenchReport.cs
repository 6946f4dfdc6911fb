using ScuttlebuttAkka.Bench.Scenarios;

namespace ScuttlebuttAkka.Bench.Reporting;

/// <summary>What a bench command writes as JSON: how it was run, where, and what each system measured.</summary>
/// <param name="Command">The subcommand ("all" for the default).</param>
/// <param name="Arguments">The command line.</param>
/// <param name="Nodes">Cluster size.</param>
/// <param name="IntervalMs">Gossip interval.</param>
/// <param name="Seed">Random seed.</param>
/// <param name="Transport">Where our nodes ran: "udp" or "sim" (virtual time).</param>
/// <param name="StartedUtc">When the run started.</param>
/// <param name="Machine">The machine.</param>
/// <param name="LoadAverageAtEnd">Load averages when the run ended.</param>
/// <param name="Results">One entry per system measured (ours first).</param>
/// <param name="Targets">Each target of docs and whether ours met it.</param>
internal sealed record BenchReport(
    string Command,
    string Arguments,
    int Nodes,
    double IntervalMs,
    int Seed,
    string Transport,
    DateTime StartedUtc,
    MachineInfo Machine,
    string LoadAverageAtEnd,
    IReadOnlyList<SuiteResult> Results,
    IReadOnlyList<TargetCheck> Targets);
