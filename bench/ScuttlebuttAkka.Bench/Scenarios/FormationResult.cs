namespace ScuttlebuttAkka.Bench.Scenarios;

/// <summary>How long a cluster took to form.</summary>
/// <param name="Nodes">Nodes started.</param>
/// <param name="StartMs">Time to start them all (sockets bound, systems up).</param>
/// <param name="FormedMs">From the first start until every node knew every other node; null on timeout.</param>
/// <param name="AdmittedMs">Akka only: until every node saw every member Up; null when not applicable or timed out.</param>
internal sealed record FormationResult(int Nodes, double StartMs, double? FormedMs, double? AdmittedMs);
