namespace ScuttlebuttAkka.Bench.Scenarios;

/// <summary>How fast the surviving nodes reported a crashed node.</summary>
/// <param name="Victim">The node crashed.</param>
/// <param name="Observers">Surviving nodes expected to report it.</param>
/// <param name="Reported">How many did within the timeout.</param>
/// <param name="FirstMs">Crash to the first report.</param>
/// <param name="MedianMs">Crash to the median report.</param>
/// <param name="LastMs">Crash to the last report; null when some node never reported.</param>
internal sealed record DetectionResult(string Victim, int Observers, int Reported, double? FirstMs, double? MedianMs, double? LastMs);
