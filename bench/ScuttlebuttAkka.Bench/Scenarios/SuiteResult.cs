namespace ScuttlebuttAkka.Bench.Scenarios;

/// <summary>Everything one suite measured on one cluster.</summary>
/// <param name="System">The cluster's description.</param>
/// <param name="Formation">Formation.</param>
/// <param name="IdleCost">Idle cost, when measured.</param>
/// <param name="Propagation">Update propagation, when measured.</param>
/// <param name="Churn">Discovery and leave, when measured.</param>
/// <param name="Detection">Crash detection, when measured.</param>
/// <param name="FalsePositives">Down reports of live nodes over the whole run.</param>
/// <param name="RunSeconds">Length of the whole run.</param>
/// <param name="Failure">Why the suite stopped early, when it did.</param>
internal sealed record SuiteResult(
    string System,
    FormationResult Formation,
    IdleCostResult? IdleCost,
    PropagationResult? Propagation,
    MembershipChurnResult? Churn,
    DetectionResult? Detection,
    FalsePositiveResult FalsePositives,
    double RunSeconds,
    string? Failure);
