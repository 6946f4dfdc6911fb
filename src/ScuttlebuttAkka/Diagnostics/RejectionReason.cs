namespace ScuttlebuttAkka.Diagnostics;

/// <summary>Why part of a well-formed message was refused while applying it; every refusal is counted by reason.</summary>
public enum RejectionReason
{
    /// <summary>A node delta that carried nothing newer than what was held (normal when gossip crosses).</summary>
    Stale,

    /// <summary>A node delta that started past what was held, so applying it would leave a gap.</summary>
    NonContiguous,

    /// <summary>A node delta or digest entry about an older incarnation than the one held.</summary>
    OldGeneration,

    /// <summary>News of a node that was removed and is still remembered, so it may not come back.</summary>
    FromRemovedNode,

    /// <summary>A node delta for an unknown node without the address to reach it.</summary>
    UnknownWithoutAddress,

    /// <summary>A new node refused because the view holds the most nodes allowed.</summary>
    OverNodeLimit,

    /// <summary>A pair refused because its node holds the most keys allowed.</summary>
    OverKeyLimit,

    /// <summary>A node delta whose versions were out of order or out of their stated range.</summary>
    Malformed,

    /// <summary>Gossip about this node itself, which only this node may write.</summary>
    AboutSelf,
}
