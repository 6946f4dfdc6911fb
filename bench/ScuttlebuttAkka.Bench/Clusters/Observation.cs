namespace ScuttlebuttAkka.Bench.Clusters;

/// <summary>One thing one node noticed, stamped on the cluster's clock when the benchmark received it.</summary>
/// <param name="At">Time since the cluster under test was created.</param>
/// <param name="Observer">The node that noticed.</param>
/// <param name="Peer">The node it is about.</param>
/// <param name="Kind">What was noticed.</param>
/// <param name="Value">The new value for <see cref="ObservationKind.Updated"/>, else empty.</param>
internal sealed record Observation(TimeSpan At, string Observer, string Peer, ObservationKind Kind, string Value = "");
