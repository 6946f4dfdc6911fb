namespace ScuttlebuttAkka.Bench.Clusters;

/// <summary>Builds an empty cluster under test (no node started yet); the transport choice lives behind this.</summary>
/// <param name="spec">The cluster's shape.</param>
internal delegate IClusterUnderTest ClusterFactory(ClusterSpec spec);
