namespace ScuttlebuttAkka.Bench.Reporting;

/// <summary>Summary of a set of durations in milliseconds; percentiles by nearest rank (p99 of 20 samples is the largest).</summary>
/// <param name="Count">Samples.</param>
/// <param name="MinMs">Smallest.</param>
/// <param name="P50Ms">Median (nearest rank).</param>
/// <param name="P90Ms">90th percentile.</param>
/// <param name="P99Ms">99th percentile.</param>
/// <param name="MaxMs">Largest.</param>
/// <param name="MeanMs">Mean.</param>
internal sealed record Distribution(int Count, double MinMs, double P50Ms, double P90Ms, double P99Ms, double MaxMs, double MeanMs)
{
    /// <summary>The summary of <paramref name="samples"/>; all zero when there are none.</summary>
    public static Distribution Of(IEnumerable<TimeSpan> samples) => OfMs(samples.Select(s => s.TotalMilliseconds));

    /// <summary>The summary of <paramref name="samplesMs"/>, in milliseconds.</summary>
    public static Distribution OfMs(IEnumerable<double> samplesMs)
    {
        var sorted = samplesMs.Order().ToArray();
        if (sorted.Length == 0)
            return new Distribution(0, 0, 0, 0, 0, 0, 0);
        return new Distribution(sorted.Length, sorted[0], Rank(sorted, 0.50), Rank(sorted, 0.90), Rank(sorted, 0.99), sorted[^1], sorted.Average());
    }

    /// <summary>The nearest-rank percentile <paramref name="fraction"/> of ascending <paramref name="sorted"/>.</summary>
    public static double Rank(IReadOnlyList<double> sorted, double fraction)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
            return 0;
        var rank = (int)Math.Ceiling(fraction * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
