using ScuttlebuttAkka.Protocol.Reconciliation;

namespace ScuttlebuttAkka.Simulation.Experiments;

/// <summary>One ordering's run of the paper experiment and its summary.</summary>
/// <param name="Ordering">How deltas were filled.</param>
/// <param name="Samples">One sample per virtual second.</param>
/// <param name="Updates">Updates made (the initial keys included).</param>
/// <param name="MaxStalenessBeforeBudgetSeconds">Highest max staleness before the budget started.</param>
/// <param name="MaxStalenessUnderLoadSeconds">Highest max staleness from the budget's start until updates stopped.</param>
/// <param name="MeanStalenessUnderLoadSeconds">Mean of the max staleness over the same stretch.</param>
/// <param name="MeanStalePairsUnderLoad">Mean number of stale pairs over the same stretch.</param>
/// <param name="CaughtUpSeconds">First second after updates stopped at which no pair was stale; null if never.</param>
/// <param name="WallSeconds">Real time the run took.</param>
internal sealed record PaperRun(
    DeltaOrdering Ordering,
    IReadOnlyList<PaperSample> Samples,
    long Updates,
    double MaxStalenessBeforeBudgetSeconds,
    double MaxStalenessUnderLoadSeconds,
    double MeanStalenessUnderLoadSeconds,
    double MeanStalePairsUnderLoad,
    double? CaughtUpSeconds,
    double WallSeconds);
