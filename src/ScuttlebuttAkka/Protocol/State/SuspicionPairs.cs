namespace ScuttlebuttAkka.Protocol.State;

/// <summary>
/// The reserved pairs in which a node says which peers it suspects (<see cref="ReservedKeys.Suspicion"/>): its own
/// suspicions written into its state, and the count of other nodes that suspect a peer, read from theirs.
/// docs/failure-detector.md, "Corroborated verdicts", says how the counts become verdicts.
/// </summary>
internal static class SuspicionPairs
{
    /// <summary>See <see cref="ClusterState.SetSuspicion"/>.</summary>
    public static long Set(ClusterState view, string peerId, long generation, bool suspect, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(peerId);
        var self = view.Self;
        var key = ReservedKeys.Suspicion(peerId);
        var exists = self.TryGet(key, out var existing);
        var held = exists && !existing.IsDeleted;
        if (!suspect)
            return held ? self.DeleteOwned(key, nowMs) : 0;
        var value = ValueOf(peerId, generation);
        if (held && existing.Value == value)
            return 0;
        if (key.Length > view.Limits.MaxKeyBytes || System.Text.Encoding.UTF8.GetByteCount(value) > view.Limits.MaxValueBytes)
            return 0;
        if (!exists && self.Count >= view.Limits.MaxKeysPerNode)
            return 0;
        return self.SetOwned(key, value, null);
    }

    /// <summary>See <see cref="ClusterState.CountSuspicions"/>.</summary>
    public static int Count(ClusterState view, string peerId, long generation, Func<string, bool> countable)
    {
        ArgumentNullException.ThrowIfNull(peerId);
        ArgumentNullException.ThrowIfNull(countable);
        var key = ReservedKeys.Suspicion(peerId);
        var value = ValueOf(peerId, generation);
        var count = 0;
        foreach (var n in view.NodeList)
        {
            if (n == view.Self || n.NodeId == peerId || !n.TryGet(key, out var v) || v.IsDeleted || v.Value != value)
                continue;
            if (countable(n.NodeId))
                count++;
        }

        return count;
    }

    // The suspected incarnation and the full id: the key holds only a hash of the id, which two ids may share.
    private static string ValueOf(string peerId, long generation) =>
        generation.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + peerId;
}
