using System.Net;
using ScuttlebuttAkka.Protocol.Liveness;
using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Protocol.State;

/// <summary>
/// Everything one view knows about one node: identity, heartbeat, and its key/value pairs with versions.
/// Invariant (see docs/protocol.md): every key whose newest write has a version at most <see cref="MaxVersion"/> is held
/// exactly as written, except that it may be missing when that write is a tombstone at or below <see cref="GcWatermark"/>;
/// and every held pair is its key's newest write unless that write is above both <see cref="MaxVersion"/> and
/// <see cref="GcWatermark"/>.
/// </summary>
internal sealed class NodeState
{
    // Both made on the first pair: a view holds a copy of every node, and many nodes hold no pairs at all.
    private static readonly Dictionary<string, Entry> NoEntries = new(StringComparer.Ordinal);
    private static readonly SortedList<long, string> NoVersions = new();
    private Dictionary<string, Entry> _entries = NoEntries;

    // version -> key, ascending: lets a delta start at any version in O(log n) and walk forward.
    private SortedList<long, string> _byVersion = NoVersions;

    /// <summary>Creates the state of a node with no pairs yet.</summary>
    public NodeState(string nodeId, long generation, string address)
    {
        NodeId = nodeId;
        Generation = generation;
        Address = address;
        NodeIdSize = WireFormat.StringSize(nodeId);
    }

    /// <summary>The node's id.</summary>
    public string NodeId { get; }

    /// <summary>Bytes the id takes on the wire, length prefix included; computed once since every digest needs it.</summary>
    internal int NodeIdSize { get; }

    /// <summary>Scratch for <see cref="ClusterState"/>: the last complete digest that named this node.</summary>
    internal int DigestMark { get; set; }

    /// <summary>Scratch for <see cref="ClusterState"/>: the last partial digest this node was put in.</summary>
    internal int PickMark { get; set; }

    /// <summary>For <see cref="ClusterState"/>'s news list: the digest count when this copy last had news (see ClusterState.Touch).</summary>
    internal long NewsAt { get; set; }

    /// <summary>The node with the next newer news in <see cref="ClusterState"/>'s news list; null at its head.</summary>
    internal NodeState? NewerNews { get; set; }

    /// <summary>The node with the next older news in <see cref="ClusterState"/>'s news list; null at its tail.</summary>
    internal NodeState? OlderNews { get; set; }

    /// <summary>True while this node is in <see cref="ClusterState"/>'s news list.</summary>
    internal bool InNews { get; set; }

    /// <summary>
    /// The runtime's failure detector and lifecycle for this peer; null for this node itself, before the runtime has
    /// taken a discovered node in, and when the runtime runs without detectors. It rides on the copy so that a peer and
    /// its detector come and go together.
    /// </summary>
    internal PeerLiveness? Liveness { get; set; }

    /// <summary>Where the runtime reaches this node: <see cref="Address"/> resolved; null until it is.</summary>
    internal EndPoint? EndPoint { get; set; }

    /// <summary>The incarnation this state belongs to.</summary>
    public long Generation { get; private set; }

    /// <summary>The node's gossip address ("host:port").</summary>
    public string Address { get; private set; }

    /// <summary>The newest heartbeat seen from this incarnation.</summary>
    public long Heartbeat { get; internal set; }

    /// <summary>True once this view learned (by gossip or a direct announcement) that this incarnation is leaving.</summary>
    public bool LeaveAnnounced { get; internal set; }

    /// <summary>True while the runtime's failure detector judges this incarnation down (see <see cref="ClusterState.SetDown"/>).</summary>
    public bool IsDown { get; internal set; }

    /// <summary>The version up to which this copy holds the node's pairs.</summary>
    public long MaxVersion { get; private set; }

    /// <summary>
    /// Tombstones at or below this version may have been collected from this copy. Above <see cref="MaxVersion"/> only
    /// while the copy is being rebuilt after a reset.
    /// </summary>
    public long GcWatermark { get; private set; }

    /// <summary>How many keys are held, tombstones included.</summary>
    public int Count => _entries.Count;


    /// <summary>True when the node announced a graceful leave.</summary>
    public bool HasLeft => _entries.TryGetValue(ReservedKeys.Left, out var e) && !e.IsDeleted;

    /// <summary>Looks up a key; tombstones are returned too, with <see cref="VersionedValue.IsDeleted"/> set.</summary>
    public bool TryGet(string key, out VersionedValue value)
    {
        if (_entries.TryGetValue(key, out var e))
        {
            value = new VersionedValue(e.Value, e.Version, e.IsDeleted);
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>Every key with its value, tombstones included, in no particular order.</summary>
    public IEnumerable<KeyValuePair<string, VersionedValue>> Pairs =>
        _entries.Select(e => new KeyValuePair<string, VersionedValue>(e.Key, new VersionedValue(e.Value.Value, e.Value.Version, e.Value.IsDeleted)));

    /// <summary>How many held pairs are newer than <paramref name="version"/>.</summary>
    public int CountNewerThan(long version)
    {
        var index = FirstIndexAfter(version);
        return _byVersion.Count - index;
    }

    /// <summary>The held pairs newer than <paramref name="version"/>, ascending by version.</summary>
    public IEnumerable<KeyValueUpdate> PairsNewerThan(long version)
    {
        var versions = _byVersion.Keys;
        var keys = _byVersion.Values;
        for (var i = FirstIndexAfter(version); i < versions.Count; i++)
        {
            var e = _entries[keys[i]];
            yield return new KeyValueUpdate(keys[i], e.Value, e.Version, e.IsDeleted);
        }
    }

    internal KeyValueUpdate PairAt(int index)
    {
        var key = _byVersion.Values[index];
        var e = _entries[key];
        return new KeyValueUpdate(key, e.Value, e.Version, e.IsDeleted);
    }

    internal int FirstIndexAfter(long version)
    {
        var versions = _byVersion.Keys;
        int lo = 0, hi = versions.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (versions[mid] <= version)
                lo = mid + 1;
            else
                hi = mid;
        }

        return lo;
    }

    internal int IndexedCount => _byVersion.Count;

    /// <summary>Whether some other key than <paramref name="key"/> holds <paramref name="version"/> (impossible between honest peers).</summary>
    internal bool VersionHeldByOtherKey(long version, string key) =>
        _byVersion.TryGetValue(version, out var holder) && !string.Equals(holder, key, StringComparison.Ordinal);

    /// <summary>Writes a key as this node's owner: takes the next version. Returns the version used.</summary>
    internal long SetOwned(string key, string value, long? expiresAtMs)
    {
        var version = MaxVersion + 1;
        Put(key, new Entry(value, version, false, expiresAtMs ?? 0, expiresAtMs.HasValue));
        MaxVersion = version;
        return version;
    }

    /// <summary>Deletes a key as this node's owner, leaving a tombstone stamped with <paramref name="nowMs"/>. Returns the version, or 0 if there was nothing to delete.</summary>
    internal long DeleteOwned(string key, long nowMs)
    {
        if (!_entries.TryGetValue(key, out var existing) || existing.IsDeleted)
            return 0;
        var version = MaxVersion + 1;
        Put(key, new Entry("", version, true, nowMs, false));
        MaxVersion = version;
        return version;
    }

    /// <summary>Applies a pair received from the network; returns false when the held copy is as new or newer.</summary>
    internal bool ApplyRemote(in KeyValueUpdate pair, long nowMs)
    {
        if (_entries.TryGetValue(pair.Key, out var existing) && existing.Version >= pair.Version)
            return false;
        Put(pair.Key, new Entry(pair.IsDeleted ? "" : pair.Value, pair.Version, pair.IsDeleted, pair.IsDeleted ? nowMs : 0, false));
        return true;
    }

    internal void AdvanceTo(long lastVersion)
    {
        if (lastVersion > MaxVersion)
            MaxVersion = lastVersion;
    }

    /// <summary>Takes a sender's watermark after rebuilding from its pairs: no key deleted at or below it is held stale.</summary>
    internal void AdoptWatermark(long watermark)
    {
        if (watermark > GcWatermark)
            GcWatermark = watermark;
    }

    /// <summary>Sets the version a rebuilt copy holds; unlike <see cref="AdvanceTo"/> it may go down.</summary>
    internal void RebuildTo(long maxVersion) => MaxVersion = maxVersion;

    /// <summary>Drops one key (a rebuild found the sender no longer holds it).</summary>
    internal void Forget(string key)
    {
        if (_entries.Remove(key, out var e))
            _byVersion.Remove(e.Version);
    }

    /// <summary>Drops every pair and starts over as <paramref name="generation"/> at <paramref name="address"/>.</summary>
    internal void ResetTo(long generation, string address)
    {
        IsDown = false;
        if (_entries != NoEntries)
        {
            _entries.Clear();
            _byVersion.Clear();
        }

        Generation = generation;
        if (address != Address)
            EndPoint = null;
        Address = address;
        Heartbeat = 0;
        MaxVersion = 0;
        GcWatermark = 0;
    }


    /// <summary>
    /// Starts this node's own state over as incarnation <paramref name="generation"/>, keeping its live keys (values and
    /// times to live) renumbered from version 1 in the order they were written; tombstones are not carried over, since
    /// peers drop an old incarnation's pairs wholesale.
    /// </summary>
    internal void Reincarnate(long generation)
    {
        var live = _entries.Where(e => !e.Value.IsDeleted).OrderBy(e => e.Value.Version).ToArray();
        ResetTo(generation, Address);
        foreach (var (key, e) in live)
        {
            var version = MaxVersion + 1;
            Put(key, e with { Version = version });
            MaxVersion = version;
        }
    }

    /// <summary>Keys whose time to live has passed at <paramref name="nowMs"/> (owned state only).</summary>
    internal List<string>? ExpiredKeys(long nowMs)
    {
        List<string>? expired = null;
        foreach (var (key, e) in _entries)
        {
            if (e.HasExpiry && !e.IsDeleted && e.StampMs <= nowMs)
                (expired ??= new()).Add(key);
        }

        return expired;
    }

    /// <summary>Removes tombstones older than <paramref name="graceMs"/> and raises the watermark; returns how many went.</summary>
    internal int CollectTombstones(long nowMs, long graceMs)
    {
        List<string>? collect = null;
        foreach (var (key, e) in _entries)
        {
            if (e.IsDeleted && nowMs - e.StampMs >= graceMs)
                (collect ??= new()).Add(key);
        }

        if (collect is null)
            return 0;
        foreach (var key in collect)
        {
            var e = _entries[key];
            _entries.Remove(key);
            _byVersion.Remove(e.Version);
            if (e.Version > GcWatermark)
                GcWatermark = e.Version;
        }

        return collect.Count;
    }

    private void Put(string key, Entry entry)
    {
        if (_entries == NoEntries)
        {
            _entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
            _byVersion = new SortedList<long, string>();
        }

        if (_entries.TryGetValue(key, out var old))
            _byVersion.Remove(old.Version);
        _entries[key] = entry;
        _byVersion.Add(entry.Version, key);
    }


    private readonly record struct Entry(string Value, long Version, bool IsDeleted, long StampMs, bool HasExpiry);
}
