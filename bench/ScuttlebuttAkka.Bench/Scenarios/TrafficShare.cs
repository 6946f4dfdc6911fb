namespace ScuttlebuttAkka.Bench.Scenarios;

/// <summary>One message type's share of the idle traffic, per node and second.</summary>
/// <param name="Kind">The message type.</param>
/// <param name="DatagramsPerNodePerSecond">Datagrams.</param>
/// <param name="BytesPerNodePerSecond">Bytes.</param>
/// <param name="MeanBytes">Mean datagram size.</param>
/// <param name="MeanDigestEntries">Mean digest entries per datagram.</param>
/// <param name="MeanNodeDeltas">Mean node deltas per datagram.</param>
/// <param name="MeanPairs">Mean key/value pairs per datagram.</param>
internal sealed record TrafficShare(string Kind, double DatagramsPerNodePerSecond, double BytesPerNodePerSecond, double MeanBytes, double MeanDigestEntries, double MeanNodeDeltas, double MeanPairs);
