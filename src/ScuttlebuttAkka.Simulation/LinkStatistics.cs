namespace ScuttlebuttAkka.Simulation;

/// <summary>What happened on one directed link (or, for totals, on all of them): a snapshot.</summary>
/// <param name="From">The sending node (<c>*</c> for totals).</param>
/// <param name="To">The receiving node or address (<c>*</c> for totals).</param>
/// <param name="Sent">Datagrams offered to the link.</param>
/// <param name="BytesSent">Bytes of the datagrams offered.</param>
/// <param name="Delivered">Copies handed to the receiver (duplicates included).</param>
/// <param name="BytesDelivered">Bytes of the copies delivered.</param>
/// <param name="Lost">Datagrams lost at random.</param>
/// <param name="Blocked">Datagrams cut by a partition.</param>
/// <param name="Oversized">Datagrams dropped for exceeding the network's maximum datagram size.</param>
/// <param name="Duplicated">Extra copies made.</param>
/// <param name="Reordered">Copies that arrived before a datagram sent earlier on the same link.</param>
/// <param name="Undeliverable">Copies that reached an address where nothing was listening (a stopped or crashed node) or whose receiver's inbound buffer was full.</param>
public sealed record LinkStatistics(
    string From,
    string To,
    long Sent,
    long BytesSent,
    long Delivered,
    long BytesDelivered,
    long Lost,
    long Blocked,
    long Oversized,
    long Duplicated,
    long Reordered,
    long Undeliverable)
{
    /// <summary>All counters zero.</summary>
    public static LinkStatistics Empty(string from, string to) => new(from, to, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>The counters of this and <paramref name="other"/> added up, under this one's names.</summary>
    public LinkStatistics Add(LinkStatistics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return this with
        {
            Sent = Sent + other.Sent,
            BytesSent = BytesSent + other.BytesSent,
            Delivered = Delivered + other.Delivered,
            BytesDelivered = BytesDelivered + other.BytesDelivered,
            Lost = Lost + other.Lost,
            Blocked = Blocked + other.Blocked,
            Oversized = Oversized + other.Oversized,
            Duplicated = Duplicated + other.Duplicated,
            Reordered = Reordered + other.Reordered,
            Undeliverable = Undeliverable + other.Undeliverable,
        };
    }
}
