using ScuttlebuttAkka.Bench.Reporting;
using ScuttlebuttAkka.Simulation.Experiments;

namespace ScuttlebuttAkka.Bench.Simulated;

/// <summary>The JSON report of <c>scale</c>.</summary>
/// <param name="CommandLine">The arguments given.</param>
/// <param name="IntervalMs">Gossip interval (one round).</param>
/// <param name="Seed">Seed.</param>
/// <param name="StartedUtc">When the run began.</param>
/// <param name="Machine">Where it ran.</param>
/// <param name="WallSeconds">Real time of the whole run.</param>
/// <param name="Results">One row per size and eager-push setting.</param>
internal sealed record ScaleReport(string CommandLine, double IntervalMs, int Seed, DateTime StartedUtc, MachineInfo Machine, double WallSeconds, IReadOnlyList<ScaleResult> Results);
