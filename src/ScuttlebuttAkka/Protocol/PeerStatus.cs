namespace ScuttlebuttAkka.Protocol;

/// <summary>Where a peer stands in its lifecycle, as one node's failure detector sees it.</summary>
public enum PeerStatus
{
    /// <summary>Heartbeats arrive on time (phi at or below the threshold).</summary>
    Alive,

    /// <summary>Phi went above the threshold; the peer is still gossiped about, and comes back up on its next heartbeat.</summary>
    Down,

    /// <summary>The peer announced a graceful leave; it is never reported down, only removed after the left expiry.</summary>
    Left,
}
