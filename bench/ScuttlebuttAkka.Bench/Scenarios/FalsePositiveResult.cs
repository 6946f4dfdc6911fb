namespace ScuttlebuttAkka.Bench.Scenarios;

/// <summary>Reports of a live node as down, over a whole run.</summary>
/// <param name="Count">How many such reports.</param>
/// <param name="Pairs">How many distinct (observer, peer) pairs they came from.</param>
/// <param name="FirstMs">When the first came (since the cluster was created); null when none.</param>
/// <param name="LastMs">When the last came; null when none.</param>
/// <param name="Examples">Up to ten of them: "observer saw peer down at t ms".</param>
internal sealed record FalsePositiveResult(int Count, int Pairs, double? FirstMs, double? LastMs, string[] Examples);
