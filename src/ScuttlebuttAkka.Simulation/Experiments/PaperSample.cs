namespace ScuttlebuttAkka.Simulation.Experiments;

/// <summary>One second's sample of the paper experiment.</summary>
/// <param name="Seconds">Virtual time.</param>
/// <param name="MaxStalenessSeconds">Over all observer/owner pairs, the age of the oldest update of the owner the observer has not seen (0 when all is seen).</param>
/// <param name="StalePairs">Observer/owner pairs where the observer misses at least one of the owner's updates.</param>
/// <param name="BytesPerNodePerRound">Bytes each node sent per round during this second.</param>
internal sealed record PaperSample(double Seconds, double MaxStalenessSeconds, int StalePairs, double BytesPerNodePerRound);
