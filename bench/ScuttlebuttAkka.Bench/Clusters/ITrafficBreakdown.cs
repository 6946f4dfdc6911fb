namespace ScuttlebuttAkka.Bench.Clusters;

/// <summary>A cluster under test that can say what its nodes sent, by message type.</summary>
internal interface ITrafficBreakdown
{
    /// <summary>Totals so far by message type, or null when the tally is off.</summary>
    IReadOnlyDictionary<string, TrafficCount>? TrafficSnapshot();
}
