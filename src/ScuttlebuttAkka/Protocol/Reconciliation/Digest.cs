namespace ScuttlebuttAkka.Protocol.Reconciliation;

/// <summary>What the sender knows about one node: enough for the receiver to tell who is missing what.</summary>
/// <param name="NodeId">The node described.</param>
/// <param name="Generation">The incarnation the sender knows; 0 means "I do not know this node, send it to me".</param>
/// <param name="Heartbeat">The newest heartbeat the sender has seen from that incarnation.</param>
/// <param name="MaxVersion">The version up to which the sender holds that node's pairs.</param>
/// <param name="GcWatermark">
/// Non-zero only while the sender's copy is being rebuilt after a reset: the copy is then free of every key deleted at or
/// below this version although it holds pairs only up to <paramref name="MaxVersion"/>, so peers continue it without
/// another reset. Always above <paramref name="MaxVersion"/> when set; 0 otherwise.
/// </param>
internal readonly record struct DigestEntry(string NodeId, long Generation, long Heartbeat, long MaxVersion, long GcWatermark = 0);

/// <summary>A summary of a view: one entry per node (or a subset when they do not all fit).</summary>
/// <param name="Entries">The entries, at most one per node.</param>
/// <param name="IsComplete">True when every node the sender knows is listed, so a node missing from it is unknown to the sender.</param>
internal sealed record Digest(IReadOnlyList<DigestEntry> Entries, bool IsComplete)
{
    /// <summary>A digest with no entries that claims nothing.</summary>
    public static readonly Digest Empty = new(Array.Empty<DigestEntry>(), false);

    /// <inheritdoc />
    public bool Equals(Digest? other) =>
        other is not null && IsComplete == other.IsComplete && Entries.SequenceEqual(other.Entries);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(IsComplete, Entries.Count);
}
