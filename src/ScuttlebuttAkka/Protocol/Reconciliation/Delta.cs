namespace ScuttlebuttAkka.Protocol.Reconciliation;

/// <summary>One versioned pair carried by a delta.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">The value; empty for a tombstone.</param>
/// <param name="Version">The owner's version of this write.</param>
/// <param name="IsDeleted">True for a tombstone.</param>
internal readonly record struct KeyValueUpdate(string Key, string Value, long Version, bool IsDeleted);

/// <summary>
/// The pairs of one node that the receiver is missing, in ascending version order: a contiguous slice of the owner's
/// history from <see cref="FromVersion"/> (exclusive) to <see cref="LastVersion"/> (inclusive).
/// </summary>
/// <param name="NodeId">The node whose state this is.</param>
/// <param name="Generation">The incarnation it belongs to.</param>
/// <param name="Address">The node's gossip address; sent when the receiver may not know it yet, otherwise null.</param>
/// <param name="Heartbeat">The newest heartbeat the sender has seen for the node.</param>
/// <param name="FromVersion">The version the receiver already holds; every pair is newer than this.</param>
/// <param name="LastVersion">After applying, the receiver holds the node's state up to this version.</param>
/// <param name="IsReset">True when tombstones the receiver may need were already collected (it is behind <paramref name="GcWatermark"/>, or is learning this incarnation): the receiver rebuilds its copy from these pairs.</param>
/// <param name="GcWatermark">With <see cref="IsReset"/>: the sender's watermark; tombstones up to it may be missing from the sender's copy. It may exceed <paramref name="LastVersion"/> when the delta was cut.</param>
/// <param name="Pairs">The pairs, strictly ascending by version.</param>
internal sealed record NodeDelta(
    string NodeId,
    long Generation,
    string? Address,
    long Heartbeat,
    long FromVersion,
    long LastVersion,
    bool IsReset,
    long GcWatermark,
    IReadOnlyList<KeyValueUpdate> Pairs)
{
    /// <inheritdoc />
    public bool Equals(NodeDelta? other) =>
        other is not null && NodeId == other.NodeId && Generation == other.Generation && Address == other.Address
        && Heartbeat == other.Heartbeat && FromVersion == other.FromVersion && LastVersion == other.LastVersion
        && IsReset == other.IsReset && GcWatermark == other.GcWatermark && Pairs.SequenceEqual(other.Pairs);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(NodeId, Generation, FromVersion, LastVersion);
}

/// <summary>The node deltas one message carries, scuttle-depth ordered.</summary>
/// <param name="Nodes">One entry per node, at most.</param>
internal sealed record Delta(IReadOnlyList<NodeDelta> Nodes)
{
    /// <summary>A delta that carries nothing.</summary>
    public static readonly Delta Empty = new(Array.Empty<NodeDelta>());

    /// <summary>True when there is nothing in it.</summary>
    public bool IsEmpty => Nodes.Count == 0;

    /// <inheritdoc />
    public bool Equals(Delta? other) => other is not null && Nodes.SequenceEqual(other.Nodes);

    /// <inheritdoc />
    public override int GetHashCode() => Nodes.Count;
}
