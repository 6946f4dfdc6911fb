using ScuttlebuttAkka.Bench.Reporting;
using ScuttlebuttAkka.Simulation.Experiments;

namespace ScuttlebuttAkka.Bench.Simulated;

/// <summary>The JSON report of <c>paper</c>.</summary>
/// <param name="CommandLine">The arguments given.</param>
/// <param name="Options">The experiment's parameters.</param>
/// <param name="StartedUtc">When the run began.</param>
/// <param name="Machine">Where it ran.</param>
/// <param name="Runs">One run per delta ordering.</param>
internal sealed record PaperReport(string CommandLine, PaperOptions Options, DateTime StartedUtc, MachineInfo Machine, IReadOnlyList<PaperRun> Runs);
