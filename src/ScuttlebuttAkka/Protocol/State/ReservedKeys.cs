namespace ScuttlebuttAkka.Protocol.State;

/// <summary>Keys the protocol uses for itself; they start with U+0000 so no application key can collide.</summary>
internal static class ReservedKeys
{
    /// <summary>Written by a node that leaves gracefully; peers that learn it report the node as left.</summary>
    public const string Left = "\0left";

    /// <summary>
    /// Prefix of the pairs in which a node says which peers it suspects: the key is the prefix and a hash of the
    /// peer's id (ids may be longer than keys), the value the peer's generation, a space and its id.
    /// </summary>
    public const string SuspicionPrefix = "\0s:";

    /// <summary>The key of a node's suspicion of <paramref name="peerId"/>: <see cref="SuspicionPrefix"/> and 16 hex digits of a 64-bit FNV-1a hash of the id's UTF-16 code units.</summary>
    public static string Suspicion(string peerId)
    {
        ArgumentNullException.ThrowIfNull(peerId);
        var hash = 14695981039346656037UL;
        foreach (var c in peerId)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }

        return SuspicionPrefix + hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Whether <paramref name="key"/> is a suspicion pair.</summary>
    public static bool IsSuspicion(string key) => key.StartsWith(SuspicionPrefix, StringComparison.Ordinal);

    /// <summary>Whether <paramref name="key"/> is in the protocol's reserved space.</summary>
    public static bool IsReserved(string key) => key.Length > 0 && key[0] == '\0';
}
