using ScuttlebuttAkka.Bench.Reporting;

namespace ScuttlebuttAkka.Bench.Scenarios;

/// <summary>How fast a fresh write reached the other nodes.</summary>
/// <param name="Trials">Trials measured (warm-up excluded).</param>
/// <param name="TimedOut">Trials in which some node never saw the write within the timeout.</param>
/// <param name="ToAll">Per trial: until the last other node saw the write.</param>
/// <param name="PerNode">Per (trial, node): until that node saw the write.</param>
/// <param name="ToAllMs">The raw per-trial samples.</param>
/// <param name="PerNodeMs">The raw per-node samples.</param>
internal sealed record PropagationResult(int Trials, int TimedOut, Distribution ToAll, Distribution PerNode, double[] ToAllMs, double[] PerNodeMs);
