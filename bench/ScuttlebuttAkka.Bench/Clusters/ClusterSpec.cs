namespace ScuttlebuttAkka.Bench.Clusters;

/// <summary>The shape of a cluster to build: how many nodes, how fast they gossip, and the seed of every random choice.</summary>
/// <param name="Nodes">Nodes started before measuring.</param>
/// <param name="Interval">The gossip interval.</param>
/// <param name="Seed">Seeds node random sources and the scenarios' choices.</param>
internal sealed record ClusterSpec(int Nodes, TimeSpan Interval, int Seed);
