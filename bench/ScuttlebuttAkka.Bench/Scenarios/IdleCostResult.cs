namespace ScuttlebuttAkka.Bench.Scenarios;

/// <summary>What an idle cluster costs per node and second.</summary>
/// <param name="Nodes">Nodes running during the window.</param>
/// <param name="Seconds">Length of the measured window.</param>
/// <param name="CpuMsPerNodePerSecond">Process CPU time in the window, divided by nodes and seconds; null on virtual time.</param>
/// <param name="BytesPerNodePerSecond">Bytes sent in the window, divided by nodes and seconds; null when not counted.</param>
/// <param name="Traffic">The bytes by message type, when the cluster tallied them.</param>
internal sealed record IdleCostResult(int Nodes, double Seconds, double? CpuMsPerNodePerSecond, double? BytesPerNodePerSecond, IReadOnlyList<TrafficShare>? Traffic = null);
