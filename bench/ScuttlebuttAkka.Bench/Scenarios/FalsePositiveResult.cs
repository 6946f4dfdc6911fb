namespace ScuttlebuttAkka.Bench.Scenarios;

/// <summary>Reports of a live node as down, over a whole run.</summary>
/// <param name="Count">How many such reports.</param>
/// <param name="Examples">Up to ten of them: "observer saw peer down at t ms".</param>
internal sealed record FalsePositiveResult(int Count, string[] Examples);
