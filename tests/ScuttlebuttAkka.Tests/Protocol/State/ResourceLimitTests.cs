using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;
using ScuttlebuttAkka.Tests.Protocol.Reconciliation;
using ScuttlebuttAkka.Tests.Protocol.Wire;
using Xunit.Abstractions;

namespace ScuttlebuttAkka.Tests.Protocol.State;

/// <summary>
/// What hostile input can make a view hold: a flood of a million invented peers leaves memory where it was, invented
/// nodes stop at <see cref="ProtocolLimits.MaxNodes"/>, the memory of removed nodes is capped, and every per-key,
/// per-value and per-node limit throws for local writes and drops and counts remote data without changing the view.
/// </summary>
[Collection(MemoryMeasurements.Name)]
public sealed class ResourceLimitTests
{
    private const string Cluster = "limits";
    private const int MaxDatagram = 1400;
    private const int InventedPeers = 1_000_000;

    private readonly ITestOutputHelper _output;

    public ResourceLimitTests(ITestOutputHelper output) => _output = output;

    // ---------------------------------------------------------------- floods of invented peers

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_million_invented_peers_in_digests_change_nothing_and_hold_no_memory(bool viewIsFull)
    {
        // A full view (MaxNodes reached) refuses and counts each invented entry; one with room asks for them (within
        // the reply budget) but stores nothing until a delta with an address arrives.
        var limits = viewIsFull ? ProtocolLimits.Default with { MaxNodes = 1_001 } : ProtocolLimits.Default;
        var view = HostileMessages.ViewOf(1_000, limits: limits);
        var codec = new DatagramCodec(Cluster, MaxDatagram, limits);
        var before = ExchangeHarness.Fingerprint(view);
        var random = new Random(11);
        var report = new ApplyReport();
        var totals = new FloodTotals();
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);

        foreach (var datagram in InventedPeerDigests(codec, InventedPeers))
            Receive(view, codec, datagram, random, report, totals);

        var memoryAfter = GC.GetTotalMemory(forceFullCollection: true);
        _output.WriteLine($"{totals.Datagrams} datagrams ({totals.RequestBytes / 1e6:F1} MB) naming {InventedPeers} invented peers, view full: {viewIsFull}");
        _output.WriteLine($"managed memory {memoryBefore / 1e6:F2} MB before, {memoryAfter / 1e6:F2} MB after ({(memoryAfter - memoryBefore) / 1e3:F0} kB)");
        _output.WriteLine($"replies {totals.Replies} ({totals.ReplyBytes / 1e6:F1} MB), over-node-limit {report.OverNodeLimit}");

        Assert.Equal(1_001, view.Nodes.Count);
        Assert.Equal(0, view.RememberedCount);
        Assert.Equal(before, ExchangeHarness.Fingerprint(view));
        Assert.Equal(viewIsFull ? InventedPeers : 0, report.OverNodeLimit);
        Assert.Empty(report.Changes);
        Assert.True(totals.ReplyBytes <= 2 * totals.RequestBytes, "the flood drew more than twice its bytes back");
        // A million ids of about 10 bytes would take well over 50 MB if anything kept them; allow for noise only.
        Assert.True(memoryAfter - memoryBefore < 8_000_000, $"managed memory grew by {memoryAfter - memoryBefore} bytes");
    }

    [Fact]
    public void A_million_invented_nodes_in_deltas_stop_at_MaxNodes_and_are_counted()
    {
        var limits = ProtocolLimits.Default with { MaxNodes = 1_100 };
        var view = HostileMessages.ViewOf(1_000, limits: limits);
        var codec = new DatagramCodec(Cluster, MaxDatagram, limits);
        var random = new Random(12);
        var report = new ApplyReport();
        var totals = new FloodTotals();
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);

        foreach (var datagram in InventedNodeDeltas(codec, InventedPeers))
            Receive(view, codec, datagram, random, report, totals);

        var memoryAfter = GC.GetTotalMemory(forceFullCollection: true);
        _output.WriteLine($"{totals.Datagrams} deltas ({totals.RequestBytes / 1e6:F1} MB) introducing {InventedPeers} invented nodes");
        _output.WriteLine($"managed memory {memoryBefore / 1e6:F2} MB before, {memoryAfter / 1e6:F2} MB after ({(memoryAfter - memoryBefore) / 1e3:F0} kB)");
        _output.WriteLine($"accepted {report.Changes.OfType<NodeDiscovered>().Count()}, over-node-limit {report.OverNodeLimit}");

        // Unauthenticated senders can fill the view up to its limit (that is what MaxNodes is for), and no further.
        Assert.Equal(limits.MaxNodes, view.Nodes.Count);
        Assert.Equal(99, report.Changes.OfType<NodeDiscovered>().Count());
        Assert.Equal(InventedPeers - 99, report.OverNodeLimit);
        Assert.Equal(0, totals.Replies);
        Assert.True(memoryAfter - memoryBefore < 8_000_000, $"managed memory grew by {memoryAfter - memoryBefore} bytes");
    }

    [Fact]
    public void Remembered_removed_nodes_are_capped_at_MaxNodes_forgetting_the_soonest_to_expire()
    {
        var limits = ProtocolLimits.Default with { MaxNodes = 10 };
        var view = new ClusterState("self", 1, "127.0.0.1:7000", limits);
        var report = new ApplyReport();
        for (var i = 0; i < 100; i++)
        {
            // An attacker introduces a node, it dies and is removed, and the next one takes its place.
            var id = $"ghost-{i}";
            view.ApplyDelta(new Delta([HostileMessages.InventedNode(id, 5, "10.0.0.1:1")]), 0, report);
            Assert.True(view.Remove(id, rememberUntilMs: 1_000 + i));
            Assert.True(view.RememberedCount <= limits.MaxNodes);
        }

        Assert.Equal(100, report.Changes.OfType<NodeDiscovered>().Count());
        Assert.Equal(limits.MaxNodes, view.RememberedCount);
        Assert.Single(view.Nodes);
        // The newest removals are still refused; the oldest were forgotten to make room.
        Assert.All(Enumerable.Range(90, 10), i => Assert.True(view.IsRemoved($"ghost-{i}", 5)));
        Assert.All(Enumerable.Range(0, 90), i => Assert.False(view.IsRemoved($"ghost-{i}", 5)));

        // Removing again a node already remembered does not evict anyone.
        view.ApplyDelta(new Delta([HostileMessages.InventedNode("ghost-95", 6, "10.0.0.1:1")]), 0, report);
        Assert.True(view.Remove("ghost-95", 5_000));
        Assert.Equal(limits.MaxNodes, view.RememberedCount);
        Assert.True(view.IsRemoved("ghost-90", 5));
    }

    // ---------------------------------------------------------------- per-key, per-value and per-node limits

    [Fact]
    public void Local_writes_over_a_limit_fail_with_a_clear_message_and_change_nothing()
    {
        var limits = new ProtocolLimits { MaxKeyBytes = 8, MaxValueBytes = 16, MaxKeysPerNode = 3 };
        var view = new ClusterState("self", 1, "127.0.0.1:7000", limits);
        view.Set("a", "1", 0);
        view.Set("b", "2", 0);
        var version = view.Self.MaxVersion;

        var key = Assert.Throws<ArgumentException>(() => view.Set("123456789", "x", 0));
        Assert.Contains("at most 8 UTF-8 bytes", key.Message, StringComparison.Ordinal);
        Assert.Equal("key", key.ParamName);
        var value = Assert.Throws<ArgumentException>(() => view.Set("c", new string('v', 17), 0));
        Assert.Contains("at most 16 UTF-8 bytes", value.Message, StringComparison.Ordinal);
        Assert.Equal("value", value.ParamName);
        // Multi-byte characters count as their UTF-8 bytes, not as UTF-16 units: 3 x 3 bytes is over 8.
        Assert.Throws<ArgumentException>(() => view.Set("\u20AC\u20AC\u20AC", "x", 0));
        Assert.Throws<ArgumentException>(() => view.Delete("123456789", 0));

        view.Set("c", "3", 0);
        var full = Assert.Throws<InvalidOperationException>(() => view.Set("d", "4", 0));
        Assert.Contains("already holds 3 keys", full.Message, StringComparison.Ordinal);
        // Tombstones count: deleting does not make room, overwriting an existing key still works.
        view.Delete("a", 0);
        Assert.Throws<InvalidOperationException>(() => view.Set("d", "4", 0));
        view.Set("b", "22", 0);

        Assert.Equal(version + 3, view.Self.MaxVersion);
        Assert.Equal(3, view.Self.Count);
    }

    [Fact]
    public void Remote_keys_and_values_over_the_limits_are_dropped_by_the_decoder_and_change_nothing()
    {
        // The sender allows more than the receiver: what it sends is valid for it, too large for the receiver.
        var loose = new ProtocolLimits { MaxKeyBytes = 200, MaxValueBytes = 1000 };
        var receiverCodec = new DatagramCodec(Cluster, MaxDatagram);
        var senderCodec = new DatagramCodec(Cluster, MaxDatagram, loose);
        var receiver = new ClusterState("receiver", 1, "127.0.0.1:7000");
        var before = ExchangeHarness.Fingerprint(receiver);
        var random = new Random(1);

        foreach (var (key, value) in new[] { (new string('k', ProtocolLimits.Default.MaxKeyBytes + 1), "v"), ("k", new string('v', ProtocolLimits.Default.MaxValueBytes + 1)) })
        {
            var sender = new ClusterState("sender", 1, "127.0.0.1:7001", loose);
            sender.Set(key, value, 0);
            var datagram = senderCodec.Encode(new DeltaMessage(sender.BuildDelta(new Digest([], true), senderCodec.MessageBudget - WireFormat.HeaderSize, random)));
            Assert.Equal(DropReason.LengthOutOfRange, receiverCodec.TryDecode(datagram, out var message));
            Assert.Null(message);
        }

        Assert.Equal(before, ExchangeHarness.Fingerprint(receiver));
    }

    [Fact]
    public void Remote_keys_past_MaxKeysPerNode_are_counted_and_only_a_valid_prefix_is_kept()
    {
        var sender = new ClusterState("sender", 1, "127.0.0.1:7001", ProtocolLimits.Default with { MaxKeysPerNode = 50 });
        for (var i = 0; i < 30; i++)
            sender.Set($"key-{i:D2}", "v", 0);
        var receiver = new ClusterState("receiver", 1, "127.0.0.1:7000", ProtocolLimits.Default with { MaxKeysPerNode = 20 });
        var report = new ApplyReport();

        receiver.ApplyDelta(sender.BuildDelta(new Digest([], true), MaxDatagram, new Random(1)), 0, report);

        Assert.True(receiver.TryGetNode("sender", out var copy));
        Assert.Equal(20, copy.Count);
        Assert.Equal(1, report.OverKeyLimit);
        // It claims only what it holds, so it never mistakes the missing pairs for received ones.
        Assert.Equal(20, copy.MaxVersion);
        Assert.Equal(20, report.Changes.OfType<KeyUpdated>().Count());

        // The rest is refused again on every later exchange, counted each time, and the copy stays as it is.
        var again = new ApplyReport();
        receiver.ApplyDelta(sender.BuildDelta(receiver.BuildDigest(MaxDatagram, new Random(2)), MaxDatagram, new Random(2)), 0, again);
        Assert.Equal(1, again.OverKeyLimit);
        Assert.Equal(20, copy.Count);
        Assert.Empty(again.Changes);
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>Digest requests as full as the datagram allows, naming <paramref name="count"/> distinct invented peers in all; made one at a time.</summary>
    private static IEnumerable<byte[]> InventedPeerDigests(DatagramCodec codec, int count)
    {
        var entries = new List<DigestEntry>();
        var used = WireFormat.HeaderSize + 4;
        for (var i = 0; i < count; i++)
        {
            var entry = new DigestEntry("i" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), 1 + (i % 1_000), i % 100, i % 50);
            var size = WireFormat.DigestEntrySize(entry, null) + 1; // +1: a zigzag difference may take a byte more than the whole generation
            if (used + size > codec.MessageBudget)
            {
                yield return codec.Encode(new DigestRequest(new Digest(entries.ToArray(), IsComplete: false)));
                entries.Clear();
                used = WireFormat.HeaderSize + 4;
            }

            entries.Add(entry);
            used += size;
        }

        if (entries.Count > 0)
            yield return codec.Encode(new DigestRequest(new Digest(entries.ToArray(), IsComplete: false)));
    }

    /// <summary>Deltas introducing <paramref name="count"/> distinct invented nodes, each with an address and one pair.</summary>
    private static IEnumerable<byte[]> InventedNodeDeltas(DatagramCodec codec, int count)
    {
        var nodes = new List<NodeDelta>();
        var used = WireFormat.HeaderSize + 4;
        for (var i = 0; i < count; i++)
        {
            var node = HostileMessages.InventedNode("i" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), 1 + (i % 1_000), $"10.{i % 256}.0.1:7946");
            var size = WireFormat.NodeDeltaSize(node);
            if (used + size > codec.MessageBudget)
            {
                yield return codec.Encode(new DeltaMessage(new Delta(nodes.ToArray())));
                nodes.Clear();
                used = WireFormat.HeaderSize + 4;
            }

            nodes.Add(node);
            used += size;
        }

        if (nodes.Count > 0)
            yield return codec.Encode(new DeltaMessage(new Delta(nodes.ToArray())));
    }

    /// <summary>What the runtime does with a datagram from an unknown sender; changes go into one report, counts into <paramref name="totals"/>.</summary>
    private static void Receive(ClusterState view, DatagramCodec codec, byte[] datagram, Random random, ApplyReport report, FloodTotals totals)
    {
        Assert.Equal(DropReason.None, codec.TryDecode(datagram, out var message));
        totals.Datagrams++;
        totals.RequestBytes += datagram.Length;
        var budget = ClusterState.ReplyBudget(false, datagram.Length, codec.MessageBudget, codec.Overhead);
        if (view.Receive(message!, budget, codec.MessageBudget, 0, random, report) is { } reply)
        {
            totals.Replies++;
            totals.ReplyBytes += codec.Encode(reply).Length;
        }
    }

    private sealed class FloodTotals
    {
        public int Datagrams { get; set; }

        public long RequestBytes { get; set; }

        public int Replies { get; set; }

        public long ReplyBytes { get; set; }
    }
}
