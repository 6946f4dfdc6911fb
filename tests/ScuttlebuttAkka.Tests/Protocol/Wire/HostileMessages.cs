using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Tests.Protocol.Wire;

/// <summary>
/// What a sender the target does not know can send it to provoke the largest reply, and cheap views of many nodes to
/// aim it at. Shared by the core-level and the end-to-end amplification and flood tests.
/// </summary>
internal static class HostileMessages
{
    /// <summary>A view of <paramref name="nodes"/> peers (plus itself), each with a few keys, built with the real core.</summary>
    public static ClusterState ViewOf(int nodes, string selfId = "target", ProtocolLimits? limits = null, int seed = 1)
    {
        var random = new Random(seed);
        var view = new ClusterState(selfId, 1, "127.0.0.1:7000", limits);
        view.Set("role", "storage", 0);
        var asksForEverything = new Digest([], IsComplete: true);
        for (var i = 0; i < nodes; i++)
        {
            var peer = new ClusterState(PeerId(i), 1_000 + i, $"10.0.{i / 250}.{(i % 250) + 1}:7946", limits);
            peer.Set("role", i % 3 == 0 ? "storage" : "compute", 0);
            peer.Set("zone", $"eu-west-{i % 3}", 0);
            peer.Set("routing.addr", $"10.1.{i / 250}.{i % 250}:5112", 0);
            peer.Set("load", (random.NextDouble() * 4).ToString("F2", System.Globalization.CultureInfo.InvariantCulture), 0);
            peer.BumpHeartbeat();
            view.ApplyDelta(peer.BuildDelta(asksForEverything, WireFormat.MaximumBudget, random), 0, new ApplyReport());
        }

        return view;
    }

    /// <summary>The id of the <paramref name="index"/>-th peer of <see cref="ViewOf"/>.</summary>
    public static string PeerId(int index) => $"node-{index:D4}";

    /// <summary>
    /// Every kind of message an unknown sender can send, named, aimed at <paramref name="target"/>: digests small and
    /// complete (a complete digest that omits a node asks for all of it), entries naming known nodes as if the sender
    /// lacked them (version 0, an older generation), knew more (to draw a digest back), or had stale heartbeats; unknown
    /// nodes; responses asking for everything; deltas and leaves (which get no reply).
    /// </summary>
    public static IEnumerable<(string Name, GossipMessage Message)> Against(ClusterState target) =>
        Against(target.Nodes.Values.Where(n => n.NodeId != target.SelfId).Select(n => new DigestEntry(n.NodeId, n.Generation, n.Heartbeat, n.MaxVersion)));

    /// <summary>The messages of <see cref="Against(ClusterState)"/>, aimed at a target known by what it knows (<paramref name="knownNodes"/>, itself excluded).</summary>
    public static IEnumerable<(string Name, GossipMessage Message)> Against(IEnumerable<DigestEntry> knownNodes)
    {
        var known = knownNodes.OrderBy(n => n.NodeId, StringComparer.Ordinal).ToArray();
        DigestEntry[] Known(int count, Func<DigestEntry, DigestEntry> entry) => known.Take(count).Select(entry).ToArray();
        DigestEntry AtZero(DigestEntry n) => n with { Heartbeat = 0, MaxVersion = 0 };
        DigestEntry Older(DigestEntry n) => new(n.NodeId, 1, 0, 0);
        DigestEntry Newer(DigestEntry n) => n with { MaxVersion = n.MaxVersion + 1_000 };
        DigestEntry StaleBeat(DigestEntry n) => n with { Heartbeat = 0 };

        yield return ("request: 1 unknown entry", Request(false, new DigestEntry("x", 1, 1, 1)));
        yield return ("request: complete, 0 entries", Request(true));
        yield return ("request: complete, 1 entry", Request(true, new DigestEntry("x", 1, 1, 1)));
        yield return ("request: complete, 1 known at version 0", Request(true, Known(1, AtZero)));
        foreach (var count in new[] { 1, 8, 64 })
        {
            yield return ($"request: {count} known at version 0", Request(false, Known(count, AtZero)));
            yield return ($"request: {count} known, older generation", Request(false, Known(count, Older)));
            yield return ($"request: {count} known, newer version", Request(false, Known(count, Newer)));
            yield return ($"request: {count} known, stale heartbeat", Request(false, Known(count, StaleBeat)));
            yield return ($"request: {count} unknown nodes", Request(false, Enumerable.Range(0, count).Select(i => new DigestEntry($"ghost-{i}", 7, 1, 1)).ToArray()));
        }

        yield return ("response: complete, 0 entries", new DigestResponse(Delta.Empty, new Digest([], IsComplete: true)));
        yield return ("response: 1 known at version 0", new DigestResponse(Delta.Empty, new Digest(Known(1, AtZero), false)));
        yield return ("response: 64 known at version 0", new DigestResponse(Delta.Empty, new Digest(Known(64, AtZero), false)));
        yield return ("response: 8 known, older generation", new DigestResponse(Delta.Empty, new Digest(Known(8, Older), false)));
        yield return ("delta: 1 invented node", new DeltaMessage(new Delta([InventedNode("ghost", 1, "10.9.9.9:1")])));
        yield return ("leave: a known node", new LeaveMessage(known[0].NodeId, known[0].Generation));
    }

    /// <summary>A random message an unknown sender could send, mixing the ingredients of <see cref="Against"/>.</summary>
    public static GossipMessage Random(ClusterState target, Random random)
    {
        var known = target.Nodes.Values.ToArray();
        var count = random.Next(0, random.Next(2) == 0 ? 4 : 80);
        var entries = new List<DigestEntry>(count);
        var used = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var n = known[random.Next(known.Length)];
            var entry = random.Next(6) switch
            {
                0 => new DigestEntry(n.NodeId, n.Generation, 0, 0),
                1 => new DigestEntry(n.NodeId, random.Next(1, 3), 0, 0),
                2 => new DigestEntry(n.NodeId, n.Generation, n.Heartbeat + 5, n.MaxVersion + random.Next(1, 1_000_000)),
                3 => new DigestEntry(n.NodeId, n.Generation, 0, random.Next(0, (int)n.MaxVersion + 1)),
                4 => new DigestEntry(n.NodeId, n.Generation + random.Next(1, 100), 0, 0),
                _ => new DigestEntry("g" + random.Next(100_000), random.Next(1, 1_000), 0, 0),
            };
            if (used.Add(entry.NodeId))
                entries.Add(entry);
        }

        var digest = new Digest(entries, IsComplete: random.Next(2) == 0);
        return random.Next(3) == 0 ? new DigestResponse(Delta.Empty, digest) : new DigestRequest(digest);
    }

    /// <summary>A node delta introducing a node nobody has heard of, with one pair, so it would be accepted if there were room.</summary>
    public static NodeDelta InventedNode(string id, long generation, string address) =>
        new(id, generation, address, 1, 0, 1, false, 0, [new KeyValueUpdate("k", "v", 1, false)]);

    private static DigestRequest Request(bool complete, params DigestEntry[] entries) => new(new Digest(entries, complete));
}
