namespace ScuttlebuttAkka.Simulation.Experiments;

/// <summary>What the scale experiment measured at one cluster size and one eager-push setting.</summary>
/// <param name="Nodes">Cluster size.</param>
/// <param name="EagerPush">Whether writes were pushed eagerly as well as gossiped.</param>
/// <param name="FormationRounds">Rounds until every node knew every node; null when it did not happen in time, or was not measured.</param>
/// <param name="Trials">Writes measured.</param>
/// <param name="Propagated">Writes that reached every node within the limit.</param>
/// <param name="MeanRounds">Mean rounds from a write until every node had it.</param>
/// <param name="P99Rounds">99th percentile of the same.</param>
/// <param name="MaxRounds">Slowest trial.</param>
/// <param name="BoundRounds">The push-pull bound log3(N) + ln(ln N).</param>
/// <param name="BytesPerNodePerRound">Bytes each node sent per round while the trials ran.</param>
/// <param name="RoundsPerTrial">Every propagated trial's rounds, in order.</param>
/// <param name="WallSeconds">Real time the size took (formation and trials).</param>
/// <param name="FormedByGossip">False when the nodes were introduced to each other instead (<see cref="ScaleOptions.FormByGossip"/>); <see cref="FormationRounds"/> is then null.</param>
internal sealed record ScaleResult(
    int Nodes,
    bool EagerPush,
    double? FormationRounds,
    int Trials,
    int Propagated,
    double MeanRounds,
    double P99Rounds,
    double MaxRounds,
    double BoundRounds,
    double BytesPerNodePerRound,
    IReadOnlyList<double> RoundsPerTrial,
    double WallSeconds,
    bool FormedByGossip = true);
