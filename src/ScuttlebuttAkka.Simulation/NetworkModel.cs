namespace ScuttlebuttAkka.Simulation;

/// <summary>
/// The fault model shared by <see cref="SimulatedNetwork"/> and <see cref="ClusterSimulator"/>: for each datagram
/// between two named nodes it decides, with a caller's seeded <see cref="Random"/>, whether and when copies arrive
/// (size limit, partitions, loss, delay, reordering, duplication), and counts what it did per directed link.
/// Not thread-safe: callers serialize access. Given the same calls and the same random sequence, it decides the same.
/// </summary>
public sealed class NetworkModel
{
    /// <summary>The most copies one datagram can turn into (itself and one duplicate).</summary>
    public const int MaxCopies = 2;

    private readonly Dictionary<(string From, string To), LinkFaults> _faults = new();
    private readonly Dictionary<(string From, string To), LinkCounters> _counters = new();
    private readonly List<PartitionRule> _partitions = new();
    private LinkFaults _defaultFaults;

    /// <summary>Creates a model that drops datagrams longer than <paramref name="maxDatagramBytes"/> and applies <paramref name="defaultFaults"/> to every link.</summary>
    public NetworkModel(int maxDatagramBytes, LinkFaults? defaultFaults = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDatagramBytes);
        MaxDatagramBytes = maxDatagramBytes;
        _defaultFaults = (defaultFaults ?? LinkFaults.None).Validate();
    }

    /// <summary>Datagrams longer than this are dropped and counted as oversized.</summary>
    public int MaxDatagramBytes { get; }

    /// <summary>The faults of every link that has none of its own.</summary>
    public LinkFaults DefaultFaults
    {
        get => _defaultFaults;
        set => _defaultFaults = (value ?? throw new ArgumentNullException(nameof(value))).Validate();
    }

    /// <summary>True while some partition is in force.</summary>
    public bool IsPartitioned => _partitions.Count > 0;

    /// <summary>Gives the directed link <paramref name="from"/> -> <paramref name="to"/> its own faults; null returns it to <see cref="DefaultFaults"/>.</summary>
    public void SetFaults(string from, string to, LinkFaults? faults)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        if (faults is null)
            _faults.Remove((from, to));
        else
            _faults[(from, to)] = faults.Validate();
    }

    /// <summary>The faults in force on the directed link <paramref name="from"/> -> <paramref name="to"/>.</summary>
    public LinkFaults FaultsOf(string from, string to) => _faults.GetValueOrDefault((from, to), _defaultFaults);

    /// <summary>
    /// Cuts the links from <paramref name="sideA"/> to <paramref name="sideB"/> and, when two-way, back. Partitions add
    /// up; nodes named on neither side are not affected. Lasts until <see cref="Heal"/>.
    /// </summary>
    public void Partition(IEnumerable<string> sideA, IEnumerable<string> sideB, PartitionDirection direction = PartitionDirection.TwoWay)
    {
        ArgumentNullException.ThrowIfNull(sideA);
        ArgumentNullException.ThrowIfNull(sideB);
        var a = new HashSet<string>(sideA, StringComparer.Ordinal);
        var b = new HashSet<string>(sideB, StringComparer.Ordinal);
        if (a.Overlaps(b))
            throw new ArgumentException("A node cannot be on both sides of a partition.", nameof(sideB));
        _partitions.Add(new PartitionRule(a, b));
        if (direction == PartitionDirection.TwoWay)
            _partitions.Add(new PartitionRule(b, a));
    }

    /// <summary>Lifts every partition.</summary>
    public void Heal() => _partitions.Clear();

    /// <summary>True when a partition cuts the directed link <paramref name="from"/> -> <paramref name="to"/>.</summary>
    public bool IsBlocked(string from, string to)
    {
        foreach (var rule in _partitions)
        {
            if (rule.From.Contains(from) && rule.To.Contains(to))
                return true;
        }

        return false;
    }

    /// <summary>
    /// Decides the fate of one datagram of <paramref name="length"/> bytes sent at <paramref name="nowMs"/> from
    /// <paramref name="from"/> to <paramref name="to"/>: writes the arrival time of each copy to
    /// <paramref name="arrivalsMs"/> (at least <see cref="MaxCopies"/> long) and returns how many copies arrive (0 to 2).
    /// </summary>
    public int Route(string from, string to, int length, long nowMs, Random random, Span<long> arrivalsMs)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (arrivalsMs.Length < MaxCopies)
            throw new ArgumentException($"Room for {MaxCopies} arrival times is needed.", nameof(arrivalsMs));
        var link = CountersOf(from, to);
        link.Sent++;
        link.BytesSent += length;
        if (length > MaxDatagramBytes)
        {
            link.Oversized++;
            return 0;
        }

        if (_partitions.Count > 0 && IsBlocked(from, to))
        {
            link.Blocked++;
            return 0;
        }

        var faults = FaultsOf(from, to);
        if (faults.Loss > 0 && random.NextDouble() < faults.Loss)
        {
            link.Lost++;
            return 0;
        }

        var copies = 1;
        arrivalsMs[0] = nowMs + Hold(faults, random);
        if (faults.Duplication > 0 && random.NextDouble() < faults.Duplication)
        {
            arrivalsMs[1] = nowMs + Hold(faults, random);
            link.Duplicated++;
            copies = 2;
        }

        for (var i = 0; i < copies; i++)
        {
            // A copy overtakes when it lands before one sent earlier on this link.
            if (arrivalsMs[i] < link.LatestArrivalMs)
                link.Reordered++;
            else
                link.LatestArrivalMs = arrivalsMs[i];
            link.Delivered++;
            link.BytesDelivered += length;
        }

        return copies;
    }

    /// <summary>Counts a copy that reached <paramref name="to"/> (a node or an address) when nothing could take it.</summary>
    public void CountUndeliverable(string from, string to) => CountersOf(from, to).Undeliverable++;

    /// <summary>The counters of the directed link <paramref name="from"/> -> <paramref name="to"/>.</summary>
    public LinkStatistics StatisticsOf(string from, string to) =>
        _counters.TryGetValue((from, to), out var c) ? c.Snapshot(from, to) : LinkStatistics.Empty(from, to);

    /// <summary>The counters of every link that carried something, ordered by sender then receiver.</summary>
    public IReadOnlyList<LinkStatistics> Links() =>
        _counters.Select(kv => kv.Value.Snapshot(kv.Key.From, kv.Key.To))
            .OrderBy(s => s.From, StringComparer.Ordinal)
            .ThenBy(s => s.To, StringComparer.Ordinal)
            .ToArray();

    /// <summary>The counters of all links added up.</summary>
    public LinkStatistics Totals()
    {
        var total = LinkStatistics.Empty("*", "*");
        foreach (var (key, c) in _counters)
            total = total.Add(c.Snapshot(key.From, key.To));
        return total;
    }

    private static long Hold(LinkFaults faults, Random random)
    {
        var delay = faults.Delay.SampleMs(random);
        if (faults.Reordering > 0 && random.NextDouble() < faults.Reordering)
            delay += random.NextInt64((long)faults.ReorderWindow.TotalMilliseconds + 1);
        return delay;
    }

    private LinkCounters CountersOf(string from, string to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        if (!_counters.TryGetValue((from, to), out var c))
        {
            c = new LinkCounters();
            _counters.Add((from, to), c);
        }

        return c;
    }

    private sealed record PartitionRule(HashSet<string> From, HashSet<string> To);

    private sealed class LinkCounters
    {
        public long Sent;
        public long BytesSent;
        public long Delivered;
        public long BytesDelivered;
        public long Lost;
        public long Blocked;
        public long Oversized;
        public long Duplicated;
        public long Reordered;
        public long Undeliverable;
        public long LatestArrivalMs = long.MinValue;

        public LinkStatistics Snapshot(string from, string to) =>
            new(from, to, Sent, BytesSent, Delivered, BytesDelivered, Lost, Blocked, Oversized, Duplicated, Reordered, Undeliverable);
    }
}
