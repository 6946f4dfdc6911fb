namespace ScuttlebuttAkka.Bench.Reporting;

/// <summary>One performance target and how a run compares with it.</summary>
/// <param name="Name">What is measured.</param>
/// <param name="Target">The target, in words.</param>
/// <param name="Measured">The measured figure, in words.</param>
/// <param name="Met">Whether the target was met; null when not measured in this run.</param>
internal sealed record TargetCheck(string Name, string Target, string Measured, bool? Met);
