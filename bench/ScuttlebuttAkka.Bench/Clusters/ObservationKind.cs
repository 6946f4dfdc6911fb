namespace ScuttlebuttAkka.Bench.Clusters;

/// <summary>What one node noticed about another, in terms both systems under comparison can report.</summary>
internal enum ObservationKind
{
    /// <summary>The peer became known (ours: Joined; Akka: first membership event naming it).</summary>
    Joined,

    /// <summary>The peer's benchmark value changed to a new one.</summary>
    Updated,

    /// <summary>The peer is suspected failed (ours: Down; Akka: unreachable).</summary>
    Down,

    /// <summary>A suspected peer is heard from again (ours: Up; Akka: reachable).</summary>
    Reachable,

    /// <summary>The peer left gracefully.</summary>
    Left,

    /// <summary>The peer was forgotten.</summary>
    Removed,

    /// <summary>Akka only: the leader moved the member to Up, which needs every member to have seen it.</summary>
    Admitted,
}
