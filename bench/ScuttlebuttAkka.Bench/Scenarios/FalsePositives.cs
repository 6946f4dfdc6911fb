using ScuttlebuttAkka.Bench.Clusters;

namespace ScuttlebuttAkka.Bench.Scenarios;

/// <summary>Counts down reports about nodes that had not crashed (or had not yet, when reported).</summary>
internal static class FalsePositives
{
    /// <summary>
    /// Every down report in <paramref name="log"/> about a node not in <paramref name="crashedAt"/>, or reported before
    /// its crash, is a false positive. Reports about nodes that left are counted by the leave scenario instead.
    /// </summary>
    public static FalsePositiveResult Count(ObservationLog log, IReadOnlyDictionary<string, TimeSpan> crashedAt, IReadOnlySet<string> leftNodes)
    {
        var wrong = log.OfKind(ObservationKind.Down)
            .Where(o => !leftNodes.Contains(o.Peer) && (!crashedAt.TryGetValue(o.Peer, out var at) || o.At < at))
            .ToArray();
        return new FalsePositiveResult(
            wrong.Length,
            wrong.Select(o => (o.Observer, o.Peer)).Distinct().Count(),
            wrong.Length > 0 ? wrong.Min(o => o.At).TotalMilliseconds : null,
            wrong.Length > 0 ? wrong.Max(o => o.At).TotalMilliseconds : null,
            wrong.Take(10).Select(o => $"{o.Observer} saw {o.Peer} down at {o.At.TotalMilliseconds:0} ms").ToArray());
    }
}
