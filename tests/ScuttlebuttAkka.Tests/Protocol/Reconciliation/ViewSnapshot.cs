using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Tests.Protocol.Reconciliation;

/// <summary>Everything observable about one node in a view, copied out so it can be compared after the view changed.</summary>
internal sealed record NodeSnapshot(
    long Generation,
    string Address,
    long Heartbeat,
    long MaxVersion,
    long GcWatermark,
    bool LeaveAnnounced,
    IReadOnlyDictionary<string, VersionedValue> Pairs);

/// <summary>
/// A copy of a <see cref="ClusterState"/>'s contents, and the invariants that must hold between the view before and
/// after it applied any message at all, however hostile: a view only moves forward.
/// </summary>
internal sealed class ViewSnapshot
{
    private ViewSnapshot(string selfId, Dictionary<string, NodeSnapshot> nodes)
    {
        SelfId = selfId;
        Nodes = nodes;
    }

    public string SelfId { get; }

    public IReadOnlyDictionary<string, NodeSnapshot> Nodes { get; }

    public static ViewSnapshot Of(ClusterState view)
    {
        var nodes = new Dictionary<string, NodeSnapshot>(StringComparer.Ordinal);
        foreach (var (id, n) in view.Nodes)
        {
            var pairs = new Dictionary<string, VersionedValue>(StringComparer.Ordinal);
            foreach (var (key, value) in n.Pairs)
                pairs.Add(key, value);
            nodes.Add(id, new NodeSnapshot(n.Generation, n.Address, n.Heartbeat, n.MaxVersion, n.GcWatermark, n.LeaveAnnounced, pairs));
        }

        return new ViewSnapshot(view.SelfId, nodes);
    }

    /// <summary>An order-independent hash of everything a snapshot would hold, cheap enough to take after every input.</summary>
    public static long Fingerprint(ClusterState view)
    {
        long sum = view.Nodes.Count;
        foreach (var (id, n) in view.Nodes)
        {
            sum += HashCode.Combine(id, n.Generation, n.Address, n.Heartbeat, n.MaxVersion, n.GcWatermark, n.LeaveAnnounced, n.Count);
            // Walks the version index rather than the key map: no enumerator allocations on a path taken for every input.
            for (var i = 0; i < n.IndexedCount; i++)
            {
                var p = n.PairAt(i);
                sum += (long)HashCode.Combine(p.Key, p.Value, p.Version, p.IsDeleted) << 7;
            }
        }

        return sum;
    }

    /// <summary>Structural invariants of a single view.</summary>
    public void AssertWellFormed(ProtocolLimits limits)
    {
        Assert.True(Nodes.Count <= limits.MaxNodes, $"{Nodes.Count} nodes exceed MaxNodes {limits.MaxNodes}");
        foreach (var (id, n) in Nodes)
        {
            Assert.False(string.IsNullOrEmpty(id));
            Assert.True(n.Generation > 0, $"{id}: generation {n.Generation}");
            Assert.True(n.Heartbeat >= 0 && n.MaxVersion >= 0, $"{id}: negative heartbeat or version");
            // The watermark exceeds the max version only while a copy is rebuilt after a cut reset (docs/protocol.md).
            Assert.True(n.GcWatermark >= 0, $"{id}: negative watermark {n.GcWatermark}");
            Assert.True(GossipAddress.TryParse(n.Address, out _, out _), $"{id}: address '{n.Address}'");
            Assert.True(n.Pairs.Count <= limits.MaxKeysPerNode, $"{id}: {n.Pairs.Count} keys exceed MaxKeysPerNode");
            var versions = new HashSet<long>();
            foreach (var (key, v) in n.Pairs)
            {
                Assert.NotEqual("", key);
                Assert.True(v.Version > 0 && v.Version <= n.MaxVersion, $"{id}/{key}: version {v.Version} outside (0, {n.MaxVersion}]");
                Assert.True(versions.Add(v.Version), $"{id}: two keys share version {v.Version}");
                Assert.True(!v.IsDeleted || v.Value.Length == 0, $"{id}/{key}: a tombstone with a value");
            }
        }
    }

    /// <summary>
    /// Asserts that <paramref name="after"/> can follow <paramref name="before"/>: this node's own state untouched, no node
    /// forgotten, no incarnation going back, and within one incarnation no version, watermark or heartbeat going back.
    /// Keys may only vanish or get older under a reset of their node (<paramref name="resetNodes"/>), which replaces the copy.
    /// </summary>
    public static void AssertSuccessor(ViewSnapshot before, ViewSnapshot after, IReadOnlySet<string> resetNodes)
    {
        Assert.Equal(before.SelfId, after.SelfId);
        AssertSameNode(before.SelfId, before.Nodes[before.SelfId], after.Nodes[after.SelfId]);
        foreach (var (id, a) in before.Nodes)
        {
            Assert.True(after.Nodes.TryGetValue(id, out var b), $"{id} was forgotten");
            Assert.True(b!.Generation >= a.Generation, $"{id}: generation went back from {a.Generation} to {b.Generation}");
            if (b.Generation != a.Generation)
                continue;
            // Only a rebuild goes back: a reset whose watermark is above everything the copy vouched for, cut below it.
            var rebuilt = resetNodes.Contains(id) && b.GcWatermark > Math.Max(a.MaxVersion, a.GcWatermark);
            Assert.True(b.MaxVersion >= a.MaxVersion || rebuilt, $"{id}: max version went back from {a.MaxVersion} to {b.MaxVersion}");
            Assert.True(b.Heartbeat >= a.Heartbeat, $"{id}: heartbeat went back from {a.Heartbeat} to {b.Heartbeat}");
            Assert.True(b.GcWatermark >= a.GcWatermark, $"{id}: watermark went back from {a.GcWatermark} to {b.GcWatermark}");
            Assert.Equal(a.Address, b.Address);
            Assert.True(!a.LeaveAnnounced || b.LeaveAnnounced, $"{id}: a leave was forgotten");
            if (resetNodes.Contains(id))
                continue;
            foreach (var (key, va) in a.Pairs)
            {
                Assert.True(b.Pairs.TryGetValue(key, out var vb), $"{id}/{key} vanished without a reset");
                Assert.True(vb.Version >= va.Version, $"{id}/{key}: version went back from {va.Version} to {vb.Version}");
                if (vb.Version == va.Version)
                    Assert.Equal(va, vb);
            }
        }
    }

    /// <summary>Asserts that only heartbeats changed (what a digest may do to a view).</summary>
    public static void AssertOnlyHeartbeatsAdvanced(ViewSnapshot before, ViewSnapshot after)
    {
        Assert.Equal(before.Nodes.Count, after.Nodes.Count);
        foreach (var (id, a) in before.Nodes)
        {
            var b = after.Nodes[id];
            Assert.True(b.Heartbeat >= a.Heartbeat);
            AssertSameNode(id, a with { Heartbeat = 0 }, b with { Heartbeat = 0 });
        }
    }

    /// <summary>Asserts that only leave announcements changed (what a leave message may do to a view).</summary>
    public static void AssertOnlyLeavesAnnounced(ViewSnapshot before, ViewSnapshot after)
    {
        Assert.Equal(before.Nodes.Count, after.Nodes.Count);
        foreach (var (id, a) in before.Nodes)
        {
            var b = after.Nodes[id];
            Assert.True(!a.LeaveAnnounced || b.LeaveAnnounced);
            AssertSameNode(id, a with { LeaveAnnounced = false }, b with { LeaveAnnounced = false });
        }
    }

    private static void AssertSameNode(string id, NodeSnapshot a, NodeSnapshot b)
    {
        Assert.True(a with { Pairs = b.Pairs } == b, $"{id} changed: {a} -> {b}");
        Assert.Equal(a.Pairs.Count, b.Pairs.Count);
        foreach (var (key, v) in a.Pairs)
            Assert.True(b.Pairs.TryGetValue(key, out var w) && w == v, $"{id}/{key} changed");
    }
}
