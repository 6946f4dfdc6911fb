using Akka.TestKit.Xunit2;
using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.Wire;
using ScuttlebuttAkka.Tests.Protocol;
using ScuttlebuttAkka.Tests.Protocol.Wire;
using Xunit.Abstractions;

namespace ScuttlebuttAkka.Tests.EndToEnd;

/// <summary>
/// A running node over real UDP against an outsider with a raw socket: every rejection path is dropped and counted by
/// reason while the node keeps gossiping, replies to unknown senders stay within max(2 x request, 64 bytes), an
/// unauthenticated sender gets nothing from a node that requires encryption, and a flood does not stop convergence.
/// </summary>
public sealed class HostileTrafficTests : TestKit
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] OtherKey = Enumerable.Range(101, 32).Select(i => (byte)i).ToArray();

    private readonly ITestOutputHelper _output;

    public HostileTrafficTests(ITestOutputHelper output) => _output = output;

    // ---------------------------------------------------------------- rejection paths

    public static TheoryData<string> RejectionPaths => new()
    {
        "wrong cluster", "wrong key", "undecryptable", "plaintext in Required", "encrypted with Off", "oversized", "truncated",
        "truncated encrypted", "too short",
    };

    [Theory]
    [MemberData(nameof(RejectionPaths))]
    public async Task Each_rejection_path_is_dropped_and_counted_by_reason_and_the_node_keeps_working(string path)
    {
        var required = path is "wrong key" or "undecryptable" or "plaintext in Required" or "truncated encrypted";
        await using var cluster = new LocalCluster(Sys);
        Func<ScuttlebuttSettings, ScuttlebuttSettings> configure = s => required ? s with { Encryption = Encryption(Key) } : s;
        var target = await cluster.StartAsync("target", configure);
        var other = await cluster.StartAsync("other", configure, target.Address);
        AwaitAssert(() => Assert.Single(target.View.LivePeers), Generous);

        var targetSettings = LocalCluster.Settings("x", cluster.ClusterName) with { Encryption = required ? Encryption(Key) : null };
        var (datagram, expected) = Hostile(path, cluster.ClusterName, targetSettings.CreateCodec());
        Assert.NotEqual(DropReason.None, expected);
        using var outsider = new RawUdpPeer();
        for (var i = 0; i < 3; i++)
            outsider.Send(datagram, target.BoundEndPoint);

        AwaitAssert(() => Assert.Equal(3, target.Statistics.Dropped(expected)), Generous);
        _output.WriteLine($"{path}: {datagram.Length} bytes dropped as {expected}; drops by reason: {string.Join(", ", target.Statistics.DroppedByReason())}");
        Assert.Equal(3, target.Statistics.DroppedTotal);

        // Still a working member: a write on the other node reaches it, and it still knows exactly one peer.
        other.UpdateLocal("after", path);
        AwaitAssert(() => Assert.Equal(path, target.Lookup("other", "after")), Generous);
        Assert.Single(target.Peers);
    }

    /// <summary>One datagram for a rejection path, and the reason the target must drop it for.</summary>
    private static (byte[] Datagram, DropReason Expected) Hostile(string path, string clusterName, DatagramCodec target)
    {
        var request = new DigestRequest(new Digest([new DigestEntry("intruder", 7, 1, 1), new DigestEntry("other", 1, 1, 1)], IsComplete: true));
        var plain = new DatagramCodec(clusterName, 1400);
        var sealedRight = new DatagramCodec(clusterName, 1400, null, Encryption(Key));
        switch (path)
        {
            case "wrong cluster":
                return (new DatagramCodec(clusterName + "-other", 1400).Encode(request), DropReason.WrongCluster);
            case "wrong key":
                return (new DatagramCodec(clusterName, 1400, null, Encryption(OtherKey)).Encode(request), DropReason.UnknownKey);
            case "undecryptable":
                var tampered = sealedRight.Encode(request);
                tampered[^20] ^= 0x01; // inside the ciphertext: the tag no longer verifies
                return (tampered, DropReason.DecryptionFailed);
            case "plaintext in Required":
                return (plain.Encode(request), DropReason.NotEncrypted);
            case "encrypted with Off":
                return (sealedRight.Encode(request), DropReason.EncryptionNotConfigured);
            case "oversized":
                var many = Enumerable.Range(0, 200).Select(i => new DigestEntry($"intruder-{i}", 7, 1, 1)).ToArray();
                var big = new DatagramCodec(clusterName, 8192).Encode(new DigestRequest(new Digest(many, false)));
                Assert.True(big.Length > target.MaxDatagramBytes);
                return (big, DropReason.TooLarge);
            case "too short":
                return ([WireFormat.Magic0, WireFormat.Magic1, WireFormat.ProtocolVersion], DropReason.TooShort);
            case "truncated":
            case "truncated encrypted":
                var whole = (path == "truncated" ? plain : sealedRight).Encode(request);
                var cut = whole[..^3];
                // The reason depends on where the cut falls; the node must agree with its own codec, and drop it.
                return (cut, target.TryDecode(cut, out _));
            default:
                throw new ArgumentOutOfRangeException(nameof(path), path, "unknown rejection path");
        }
    }

    // ---------------------------------------------------------------- amplification

    [Fact]
    public async Task Replies_to_an_unknown_sender_over_udp_stay_within_twice_its_datagram()
    {
        await using var cluster = new LocalCluster(Sys);
        // Plenty to say, and large datagrams allowed: only the reply budget can keep the replies small.
        Func<ScuttlebuttSettings, ScuttlebuttSettings> configure = s => s with { MaxDatagramBytes = 16_384, InitialState = ManyKeys(s.NodeId) };
        var target = await cluster.StartAsync("target", configure);
        await cluster.StartAsync("b", configure, target.Address);
        await cluster.StartAsync("c", configure, target.Address);
        AwaitAssert(() => Assert.All(cluster.Nodes, n => Assert.All(cluster.Nodes, m => Assert.Equal("k-59", n.Lookup(m.NodeId, "k-59")))), Generous);

        var codec = new DatagramCodec(cluster.ClusterName, 16_384);
        var known = target.Peers.Select(p => new DigestEntry(p.PeerId, p.Generation, 0, p.MaxVersion));
        using var outsider = new RawUdpPeer();
        var marker = 0;
        var (totalIn, totalOut, worst) = (0, 0, 0.0);
        foreach (var (name, message) in HostileMessages.Against(known).Where(m => m.Message is DigestRequest or DigestResponse))
        {
            var datagram = codec.Encode(message);
            outsider.Send(datagram, target.BoundEndPoint);
            var reply = await RepliesUntilMarkerAsync(outsider, codec, target, ++marker);
            _output.WriteLine($"  {name,-42} {datagram.Length,5} -> {reply,5} bytes ({(double)reply / datagram.Length:F2})");
            Assert.True(reply <= Math.Max(2 * datagram.Length, WireFormat.MinimumBudget), $"{name}: {datagram.Length} bytes drew {reply} bytes back");
            (totalIn, totalOut, worst) = (totalIn + datagram.Length, totalOut + reply, Math.Max(worst, (double)reply / datagram.Length));
        }

        _output.WriteLine($"total {totalIn} bytes sent, {totalOut} received back; worst ratio {worst:F2}");
        Assert.True(totalOut > 0, "the node never answered: the test measured nothing");
        // The outsider's probes changed nothing the members hold.
        Assert.Equal(2, target.Peers.Count);
        Assert.Equal(3, target.View.Peers.Count);
    }

    [Fact]
    public async Task In_Required_mode_an_unauthenticated_sender_gets_nothing_back()
    {
        await using var cluster = new LocalCluster(Sys);
        Func<ScuttlebuttSettings, ScuttlebuttSettings> configure = s => s with { Encryption = Encryption(Key), InitialState = ManyKeys(s.NodeId) };
        var target = await cluster.StartAsync("target", configure);
        await cluster.StartAsync("b", configure, target.Address);
        AwaitAssert(() => Assert.Equal("k-59", target.Lookup("b", "k-59")), Generous);

        var plaintext = new DatagramCodec(cluster.ClusterName, 1400);
        var wrongKey = new DatagramCodec(cluster.ClusterName, 1400, null, Encryption(OtherKey));
        var known = target.Peers.Select(p => new DigestEntry(p.PeerId, p.Generation, 0, p.MaxVersion));
        var messages = HostileMessages.Against(known).Select(m => m.Message).ToList();
        using var outsider = new RawUdpPeer();
        foreach (var message in messages)
        {
            outsider.Send(plaintext.Encode(message), target.BoundEndPoint);
            outsider.Send(wrongKey.Encode(message), target.BoundEndPoint);
        }

        AwaitAssert(() =>
        {
            Assert.Equal(messages.Count, target.Statistics.Dropped(DropReason.NotEncrypted));
            Assert.Equal(messages.Count, target.Statistics.Dropped(DropReason.UnknownKey));
        }, Generous);

        // The node answers datagrams in the order they arrive, so if the first thing the outsider ever receives is the
        // answer to a properly encrypted probe sent last, none of the forged datagrams was answered.
        var keyHolder = new DatagramCodec(cluster.ClusterName, 1400, null, Encryption(Key));
        outsider.Send(keyHolder.Encode(Marker(1)), target.BoundEndPoint);
        var first = await outsider.ReceiveAsync();
        Assert.Equal(DropReason.None, keyHolder.TryDecode(first, out var reply));
        Assert.True(IsMarkerReply(reply, 1), $"the first datagram back was a {reply?.GetType().Name}, not the answer to the probe");
        Assert.Single(target.Peers);
    }

    // ---------------------------------------------------------------- flood

    [Fact]
    public async Task A_flood_of_fifty_thousand_hostile_datagrams_does_not_stop_a_write_from_reaching_everyone()
    {
        await using var cluster = new LocalCluster(Sys);
        // The view is full with its three members, so invented nodes are refused and counted.
        Func<ScuttlebuttSettings, ScuttlebuttSettings> configure = s => s with { Limits = s.Limits with { MaxNodes = 3 } };
        var a = await cluster.StartAsync("a", configure);
        var b = await cluster.StartAsync("b", configure, a.Address);
        var target = await cluster.StartAsync("target", configure, a.Address);
        AwaitAssert(() => Assert.All(cluster.Nodes, n => Assert.Equal(2, n.View.LivePeers.Count())), Generous);

        var corpus = FloodCorpus(cluster.ClusterName, new Random(42));
        using var outsider = new RawUdpPeer();
        var sent = 0;
        var converged = 0;
        var flood = Task.Run(async () =>
        {
            // At least 50,000 datagrams, and on until the write has reached everyone, so that it travels during the flood.
            while ((sent < 50_000 || Volatile.Read(ref converged) == 0) && sent < 1_000_000)
            {
                for (var i = 0; i < 500; i++, sent++)
                    outsider.Send(corpus[sent % corpus.Count], target.BoundEndPoint);
                await Task.Yield();
            }
        });

        AwaitAssert(() => Assert.True(sent > 1_000, "the flood has not started"), Generous);
        a.UpdateLocal("during-flood", "v1");
        AwaitAssert(() => Assert.All(cluster.Nodes, n => Assert.Equal("v1", n.Lookup("a", "during-flood"))), Generous);
        Volatile.Write(ref converged, 1);
        await flood;

        var drops = target.Statistics.DroppedByReason();
        _output.WriteLine($"{sent} hostile datagrams sent; the target received {target.Statistics.DatagramsIn}, dropped {string.Join(", ", drops)}, rejected {target.Statistics.RejectedNodeDeltas} node deltas or entries");
        Assert.True(sent >= 50_000);
        foreach (var reason in new[] { DropReason.BadMagic, DropReason.WrongCluster, DropReason.TooLarge })
            Assert.True(drops.GetValueOrDefault(reason) > 0, $"no {reason} drop was counted");
        Assert.True(drops.GetValueOrDefault(DropReason.LengthOutOfRange) > 0, "no oversized count or truncated datagram was counted");
        Assert.True(target.Statistics.RejectedNodeDeltas > 1_000, $"only {target.Statistics.RejectedNodeDeltas} invented nodes were counted as refused");
        Assert.Equal(new[] { "a", "b" }, target.Peers.Select(p => p.PeerId));
        Assert.All(cluster.Nodes, n => Assert.Equal(3, n.View.Peers.Count));
    }

    /// <summary>Hostile datagrams of every kind: garbage, another cluster's, oversized, truncated, invented peers and nodes.</summary>
    private static List<byte[]> FloodCorpus(string clusterName, Random random)
    {
        var codec = new DatagramCodec(clusterName, 1400);
        var other = new DatagramCodec(clusterName + "-other", 1400);
        var big = new DatagramCodec(clusterName, 4096);
        var corpus = new List<byte[]>();
        for (var i = 0; i < 400; i++)
        {
            var garbage = new byte[random.Next(1, 200)];
            random.NextBytes(garbage);
            garbage[0] = (byte)'X';
            corpus.Add(garbage);

            // Up to three entries or nodes get past the decoder (it refuses counts above MaxNodes) and reach the view,
            // which refuses them as over its node limit; forty are refused by the decoder.
            foreach (var count in new[] { 3, 40 })
            {
                var invented = Enumerable.Range(0, count).Select(j => new DigestEntry($"ghost-{i}-{j}", 1 + j, 1, 1)).ToArray();
                var digest = new DigestRequest(new Digest(invented, IsComplete: random.Next(2) == 0));
                corpus.Add(codec.Encode(digest));
                corpus.Add(other.Encode(digest));
                var whole = codec.Encode(digest);
                corpus.Add(whole[..random.Next(8, whole.Length - 1)]);
            }

            var nodes = Enumerable.Range(0, 3).Select(j => HostileMessages.InventedNode($"ghost-{i}-{j}", 1 + j, $"127.0.0.1:{20_000 + j}")).ToArray();
            corpus.Add(codec.Encode(new DeltaMessage(new Delta(nodes))));
            corpus.Add(big.Encode(new DigestRequest(new Digest(Enumerable.Range(0, 150).Select(j => new DigestEntry($"big-{i}-{j}", 1, 1, 1)).ToArray(), false))));
        }

        return corpus;
    }

    // ---------------------------------------------------------------- helpers

    private static EncryptionSettings Encryption(byte[] key) => new(KeyRing.Create(key), EncryptionMode.Required);

    private static Dictionary<string, string> ManyKeys(string nodeId) =>
        Enumerable.Range(0, 60).ToDictionary(i => $"k-{i:D2}", i => i == 59 ? "k-59" : $"{nodeId}/{i}/" + new string('x', 60));

    /// <summary>A probe that asks about a node nobody knows; its answer names that node, so it can be told from other replies.</summary>
    private static DigestRequest Marker(int n) => new(new Digest([new DigestEntry($"marker-{n}", 1, 0, 0)], IsComplete: false));

    private static bool IsMarkerReply(GossipMessage? reply, int n) =>
        reply is DigestResponse r && r.Digest.Entries.Any(e => e.NodeId == $"marker-{n}");

    /// <summary>Sends a marker probe and adds up the bytes of every reply received before the marker's own answer.</summary>
    private static async Task<int> RepliesUntilMarkerAsync(RawUdpPeer outsider, DatagramCodec codec, ScuttlebuttNode target, int n)
    {
        outsider.Send(codec.Encode(Marker(n)), target.BoundEndPoint);
        var bytes = 0;
        while (true)
        {
            var datagram = await outsider.ReceiveAsync();
            Assert.Equal(DropReason.None, codec.TryDecode(datagram, out var reply));
            if (IsMarkerReply(reply, n))
                return bytes;
            bytes += datagram.Length;
        }
    }
}
