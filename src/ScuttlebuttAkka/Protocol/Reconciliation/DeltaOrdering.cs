namespace ScuttlebuttAkka.Protocol.Reconciliation;

/// <summary>
/// Which pairs a delta carries first when not everything the receiver lacks fits in one datagram (van Renesse et al.,
/// "Efficient Reconciliation and Flow Control for Anti-Entropy Protocols", LADIS 2008, section 3.2).
/// </summary>
internal enum DeltaOrdering
{
    /// <summary>Scuttle-depth, the default: the nodes the receiver is furthest behind on first, each with as many of its pairs as fit.</summary>
    Depth,

    /// <summary>
    /// Scuttle-breadth, for comparison: pairs in ascending version order across all nodes, nodes in a random order
    /// among equal versions, so every node's oldest missing pairs go before anyone's newer ones.
    /// </summary>
    Breadth,
}
