namespace ScuttlebuttAkka.Protocol;

/// <summary>What a call on <see cref="Liveness.PeerLiveness"/> changed, so the runtime knows which event to publish.</summary>
public enum LivenessTransition
{
    /// <summary>Nothing changed.</summary>
    None,

    /// <summary>An alive peer went silent long enough for phi to pass the threshold.</summary>
    Down,

    /// <summary>A down peer was heard from again.</summary>
    Up,

    /// <summary>The peer announced a graceful leave.</summary>
    Left,

    /// <summary>A down or left peer stayed so past its expiry and is to be forgotten; reported once.</summary>
    Removed,
}
