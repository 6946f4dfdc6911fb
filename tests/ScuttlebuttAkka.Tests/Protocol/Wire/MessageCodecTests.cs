using System.Text;
using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Tests.Protocol.Wire;

public sealed class MessageCodecTests
{
    private const uint Cluster = 0x1234_ABCDu;

    private static readonly string MaxId = new('i', ProtocolLimits.MaxNodeIdBytesHardLimit);

    // 64 four-byte code points: 256 UTF-8 bytes but only 128 UTF-16 chars, so a byte/char mix-up would show.
    private static readonly string MaxUnicodeId = string.Concat(Enumerable.Repeat("\U0001F98A", 64));

    // ------------------------------------------------------------------ round trips

    [Fact]
    public void Empty_digests_round_trip_with_and_without_the_complete_flag()
    {
        AssertRoundTrips(new DigestRequest(Digest.Empty));
        AssertRoundTrips(new DigestRequest(new Digest(Array.Empty<DigestEntry>(), IsComplete: true)));
        Assert.Equal(WireFormat.HeaderSize + 2, MessageCodec.Encode(new DigestRequest(Digest.Empty), Cluster).Length);
    }

    [Fact]
    public void Digest_request_round_trips_requests_for_unknown_nodes_and_extreme_counters()
    {
        var digest = new Digest(
        [
            new DigestEntry("a", 1, 0, 0),
            new DigestEntry("unknown", 0, 0, 0),
            new DigestEntry(MaxId, long.MaxValue, long.MaxValue, long.MaxValue),
            new DigestEntry(MaxUnicodeId, 1_700_000_000_000, 128, 16_384),
        ], IsComplete: true);
        AssertRoundTrips(new DigestRequest(digest));
    }

    [Fact]
    public void Digest_response_round_trips_a_delta_and_a_digest()
    {
        var delta = new Delta(
        [
            new NodeDelta("b", 2, "127.0.0.1:7000", 9, 0, 3, false, 0,
                [new KeyValueUpdate("role", "db", 1, false), new KeyValueUpdate("zone", "eu-1", 3, false)]),
        ]);
        var digest = new Digest([new DigestEntry("c", 0, 0, 0), new DigestEntry("a", 1, 44, 7)], IsComplete: false);
        AssertRoundTrips(new DigestResponse(delta, digest));
        AssertRoundTrips(new DigestResponse(Delta.Empty, Digest.Empty));
    }

    [Fact]
    public void Reset_node_delta_round_trips_with_its_watermark_address_and_tombstones()
    {
        var reset = new NodeDelta("c", 7, "[::1]:65535", 100, 0, 40, IsReset: true, GcWatermark: 33,
        [
            new KeyValueUpdate("alive", "yes", 35, false),
            new KeyValueUpdate("gone", "", 38, true),
        ]);
        var sliced = new NodeDelta("d", 1, "gossip.example.org:0", 3, 10, 12, false, 0,
            [new KeyValueUpdate(ReservedKeys.Left, "1", 11, false), new KeyValueUpdate("x", "", 12, true)]);
        var empty = new NodeDelta("e", 1, null, 0, 5, 9, false, 0, []);
        AssertRoundTrips(new DeltaMessage(new Delta([reset, sliced, empty])));
    }

    [Fact]
    public void Unicode_keys_values_and_ids_round_trip_byte_exactly()
    {
        var delta = new NodeDelta("nœud-é", 1, "hôte-ü:80", 1, 0, 3, false, 0,
        [
            new KeyValueUpdate("ключ", "значение", 1, false),
            new KeyValueUpdate("键\U0001F511", "值 \U0001F680 ✓", 2, false),
            new KeyValueUpdate("\0reserved", "\0", 3, false),
        ]);
        var bytes = AssertRoundTrips(new DeltaMessage(new Delta([delta])));
        Assert.Contains("значение", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void Max_size_ids_keys_and_values_round_trip_and_one_byte_more_is_refused()
    {
        var limits = ProtocolLimits.Default;
        var key = new string('k', limits.MaxKeyBytes);
        var value = new string('v', limits.MaxValueBytes);
        AssertRoundTrips(new LeaveMessage(MaxId, 1));
        AssertRoundTrips(new LeaveMessage(MaxUnicodeId, long.MaxValue));
        AssertRoundTrips(new DeltaMessage(new Delta([new NodeDelta(MaxUnicodeId, 1, null, 0, 0, 1, false, 0, [new KeyValueUpdate(key, value, 1, false)])])));

        Assert.Equal(DropReason.LengthOutOfRange, Decode(MessageCodec.Encode(new LeaveMessage(MaxId + "i", 1), Cluster)));
        Assert.Equal(DropReason.LengthOutOfRange, Decode(Encode(new NodeDelta("n", 1, null, 0, 0, 1, false, 0, [new KeyValueUpdate(key + "k", "v", 1, false)]))));
        Assert.Equal(DropReason.LengthOutOfRange, Decode(Encode(new NodeDelta("n", 1, null, 0, 0, 1, false, 0, [new KeyValueUpdate("k", value + "v", 1, false)]))));
    }

    [Theory]
    [InlineData(0L, 1)]
    [InlineData(127L, 1)]
    [InlineData(128L, 2)]
    [InlineData(16_383L, 2)]
    [InlineData(16_384L, 3)]
    [InlineData((1L << 28) - 1, 4)]
    [InlineData(1L << 28, 5)]
    [InlineData((1L << 49) - 1, 7)]
    [InlineData((1L << 56) - 1, 8)]
    [InlineData(1L << 56, 9)]
    [InlineData(long.MaxValue, 9)]
    public void Varints_take_seven_bits_a_byte_up_to_long_MaxValue(long value, int expectedBytes)
    {
        Assert.Equal(expectedBytes, WireFormat.VarIntSize(value));
        // The max version is the last field of a digest entry, so its varint is the tail of the datagram.
        var bytes = AssertRoundTrips(new DigestRequest(new Digest([new DigestEntry("a", 1, 1, value)], false)));
        var expected = new RawDatagram().VarInt((ulong)value).ToArray();
        Assert.Equal(expectedBytes, expected.Length);
        Assert.Equal(expected, bytes[^expectedBytes..]);
    }

    [Fact]
    public void The_largest_tagged_gap_takes_ten_bytes_and_round_trips()
    {
        // From 0 to long.MaxValue in one tombstone: gap 2^63 - 1, tagged (gap << 1) | 1 = 2^64 - 1.
        var node = new NodeDelta("n", 1, null, 0, 0, long.MaxValue, false, 0, [new KeyValueUpdate("k", "", long.MaxValue, true)]);
        var bytes = AssertRoundTrips(new DeltaMessage(new Delta([node])));
        var tagged = new RawDatagram().VarInt(ulong.MaxValue).ToArray();
        Assert.Equal(10, tagged.Length);
        Assert.Equal(tagged, bytes[^10..]);
    }

    [Fact]
    public void Random_messages_round_trip_and_their_measured_size_is_their_encoded_size()
    {
        MessageGenerators.ForAll(MessageGenerators.Message, seed: 11, count: 600, message =>
        {
            var bytes = AssertRoundTrips(message);
            Assert.Equal(WireFormat.MessageSize(message), bytes.Length);
        });
    }

    [Fact]
    public void Size_helpers_add_up_to_the_encoded_size_of_every_part()
    {
        MessageGenerators.ForAll(MessageGenerators.NodeDelta, seed: 12, count: 400, node =>
        {
            var one = MessageCodec.Encode(new DeltaMessage(new Delta([node])), Cluster);
            // The delta body is a node count (1 byte here) followed by the node delta.
            Assert.Equal(one.Length - WireFormat.HeaderSize - 1, WireFormat.NodeDeltaSize(node));
            var header = WireFormat.NodeDeltaHeaderSize(node.NodeId, node.Generation, node.Address, node.Heartbeat, node.FromVersion, node.LastVersion, node.IsReset, node.GcWatermark);
            var pairs = 0;
            var prev = node.FromVersion;
            foreach (var p in node.Pairs)
            {
                pairs += WireFormat.PairSize(p, prev);
                prev = p.Version;
            }

            Assert.Equal(WireFormat.NodeDeltaSize(node), header + WireFormat.VarIntSize((ulong)node.Pairs.Count) + pairs);
        });
        MessageGenerators.ForAll(MessageGenerators.Digest, seed: 13, count: 400, digest =>
        {
            var bytes = MessageCodec.Encode(new DigestRequest(digest), Cluster);
            Assert.Equal(bytes.Length - WireFormat.HeaderSize, WireFormat.DigestSize(digest));
            Assert.Equal(WireFormat.DigestSize(digest), WireFormat.DigestOverhead(digest.Entries.Count) + digest.Entries.Select((e, i) => WireFormat.DigestEntrySize(e, i == 0 ? null : digest.Entries[0].Generation)).Sum());
        });
    }

    [Fact]
    public void Every_proper_prefix_of_a_valid_datagram_is_refused_and_every_extension_is_trailing_bytes()
    {
        var random = new Random(14);
        MessageGenerators.ForAll(MessageGenerators.Message, seed: 15, count: 300, message =>
        {
            var bytes = MessageCodec.Encode(message, Cluster);
            // All short cuts, and a sample of longer ones: messages are self-delimiting, so no prefix can parse.
            var cuts = Enumerable.Range(0, Math.Min(bytes.Length, 40)).Concat(Enumerable.Range(0, 40).Select(_ => random.Next(bytes.Length)));
            foreach (var cut in cuts)
            {
                var expected = cut < WireFormat.HeaderSize ? DropReason.TooShort : DropReason.LengthOutOfRange;
                Assert.Equal(expected, Decode(bytes[..cut]));
            }

            Assert.Equal(DropReason.TrailingBytes, Decode([.. bytes, (byte)random.Next(256)]));
        });
    }

    [Fact]
    public void Header_is_magic_version_type_and_little_endian_cluster_hash()
    {
        var hash = WireFormat.ClusterHash("prod-eu");
        var messages = new GossipMessage[]
        {
            new DigestRequest(Digest.Empty),
            new DigestResponse(Delta.Empty, Digest.Empty),
            new DeltaMessage(Delta.Empty),
            new LeaveMessage("a", 1),
        };
        var expectedTypes = new[] { MessageType.DigestRequest, MessageType.DigestResponse, MessageType.Delta, MessageType.Leave };
        for (var i = 0; i < messages.Length; i++)
        {
            var bytes = MessageCodec.Encode(messages[i], hash);
            Assert.Equal(RawDatagram.Header(expectedTypes[i], hash).ToArray(), bytes[..WireFormat.HeaderSize]);
            Assert.Equal(hash, (uint)(bytes[4] | bytes[5] << 8 | bytes[6] << 16 | bytes[7] << 24));
        }
    }

    [Theory]
    [InlineData("", 0x811C9DC5u)]
    [InlineData("a", 0xE40C292Cu)]
    [InlineData("foobar", 0xBF9CF968u)]
    public void Cluster_hash_is_32_bit_FNV_1a_of_the_utf8_name(string name, uint expected)
    {
        // Published FNV-1a 32-bit test vectors.
        Assert.Equal(expected, WireFormat.ClusterHash(name));
    }

    [Fact]
    public void Cluster_hash_distinguishes_names_and_hashes_unicode_as_utf8()
    {
        Assert.NotEqual(WireFormat.ClusterHash("prod"), WireFormat.ClusterHash("prod2"));
        Assert.NotEqual(WireFormat.ClusterHash("é"), WireFormat.ClusterHash("\u00E9".Normalize(NormalizationForm.FormD)));
        Assert.Equal(Fnv1a(Encoding.UTF8.GetBytes("кластер")), WireFormat.ClusterHash("кластер"));
    }

    // ------------------------------------------------------------------ rejections

    /// <summary>Each case changes one thing in an otherwise valid datagram; "valid ..." cases prove the baselines.</summary>
    private static readonly Dictionary<string, (DropReason Expected, Func<byte[]> Build)> Cases = new()
    {
        ["valid delta baseline"] = (DropReason.None, () => RawDelta(r => r.NodeDelta())),
        ["valid reset delta baseline"] = (DropReason.None, () => RawDelta(r => r.NodeDelta(flags: 0x03, address: "1.2.3.4:5", watermark: 2))),
        ["valid digest baseline"] = (DropReason.None, () => RawDigest(0x01, r => r.VarInt(1).Str("a").VarInt(0).VarInt(0).VarInt(0))),
        ["valid leave baseline"] = (DropReason.None, () => RawLeave("a", 1)),

        ["empty datagram"] = (DropReason.TooShort, () => []),
        ["seven header bytes"] = (DropReason.TooShort, () => RawDatagram.Header(MessageType.Leave, Cluster).ToArray()[..7]),
        ["bad first magic byte"] = (DropReason.BadMagic, () => Patch(RawLeave("a", 1), 0, (byte)'s')),
        ["bad second magic byte"] = (DropReason.BadMagic, () => Patch(RawLeave("a", 1), 1, (byte)'b')),
        ["version 0"] = (DropReason.UnsupportedVersion, () => Patch(RawLeave("a", 1), 2, 0)),
        ["version 2"] = (DropReason.UnsupportedVersion, () => Patch(RawLeave("a", 1), 2, 2)),
        ["message type 0"] = (DropReason.UnknownMessageType, () => Patch(RawLeave("a", 1), 3, 0)),
        ["message type 6"] = (DropReason.UnknownMessageType, () => Patch(RawLeave("a", 1), 3, 6)),
        ["message type 255"] = (DropReason.UnknownMessageType, () => Patch(RawLeave("a", 1), 3, 255)),
        ["another cluster's hash"] = (DropReason.WrongCluster, () => RawDatagram.Header(MessageType.Leave, Cluster ^ 1).Str("a").VarInt(1).ToArray()),

        ["digest without flags byte"] = (DropReason.LengthOutOfRange, () => RawDatagram.Header(MessageType.DigestRequest, Cluster).ToArray()),
        ["digest count past the end"] = (DropReason.LengthOutOfRange, () => RawDigest(0, r => r.VarInt(2).Str("a").VarInt(0).VarInt(0).VarInt(0))),
        ["digest count above bytes left / 5"] = (DropReason.LengthOutOfRange, () => RawDigest(0, r => r.VarInt(2).Str("abc").VarInt(0).VarInt(0).VarInt(0))),
        ["digest count over MaxNodes"] = (DropReason.LengthOutOfRange, () => RawDigest(0, r => r.VarInt(17_000))),
        ["node count past the end"] = (DropReason.LengthOutOfRange, () => RawDatagram.Header(MessageType.Delta, Cluster).VarInt(2).NodeDelta().ToArray()),
        ["pair count past the end"] = (DropReason.LengthOutOfRange, () => RawDelta(r => r.Str("n").VarInt(1).Bytes(0).VarInt(5).VarInt(0).VarInt(2).VarInt(2).Str("k").VarInt(2).Str("v"))),
        ["id length past the end"] = (DropReason.LengthOutOfRange, () => RawDatagram.Header(MessageType.Leave, Cluster).VarInt(50).Bytes((byte)'a', 1).ToArray()),
        ["id of 257 bytes"] = (DropReason.LengthOutOfRange, () => RawLeave(MaxId + "i", 1)),
        ["address of 256 bytes"] = (DropReason.LengthOutOfRange, () => RawDelta(r => r.NodeDelta(flags: 0x01, address: new string('h', 251) + ":1234"))),
        ["key over MaxKeyBytes"] = (DropReason.LengthOutOfRange, () => RawDelta(r => r.NodeDelta(pairs: [new RawPair(new string('k', 257), 2, "v")]))),
        ["value over MaxValueBytes"] = (DropReason.LengthOutOfRange, () => RawDelta(r => r.NodeDelta(pairs: [new RawPair("k", 2, new string('v', 1025))]))),
        ["generation missing"] = (DropReason.LengthOutOfRange, () => RawDatagram.Header(MessageType.Leave, Cluster).Str("a").ToArray()),
        ["varint cut in the middle"] = (DropReason.LengthOutOfRange, () => RawDatagram.Header(MessageType.Leave, Cluster).Str("a").Bytes(0x80, 0x80).ToArray()),

        ["varint of eleven bytes"] = (DropReason.BadVarInt, () => RawDatagram.Header(MessageType.Leave, Cluster).Str("a").Bytes(0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01).ToArray()),
        ["tenth varint byte above 1"] = (DropReason.BadVarInt, () => RawDatagram.Header(MessageType.Leave, Cluster).Str("a").Bytes(0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02).ToArray()),
        ["generation of 2^63"] = (DropReason.BadVarInt, () => RawDatagram.Header(MessageType.Leave, Cluster).Str("a").VarInt(1UL << 63).ToArray()),
        ["generation 1 written as 81 00"] = (DropReason.BadVarInt, () => RawDatagram.Header(MessageType.Leave, Cluster).Str("a").Bytes(0x81, 0x00).ToArray()),
        ["non-minimal length prefix"] = (DropReason.BadVarInt, () => RawDatagram.Header(MessageType.Leave, Cluster).Bytes(0x81, 0x00, (byte)'a').VarInt(1).ToArray()),
        ["count varint past 64 bits"] = (DropReason.BadVarInt, () => RawDigest(0, r => r.Bytes(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02))),

        ["id byte FF"] = (DropReason.BadUtf8, () => RawDatagram.Header(MessageType.Leave, Cluster).Str([0xFF]).VarInt(1).ToArray()),
        ["overlong NUL in a key"] = (DropReason.BadUtf8, () => RawDelta(r => r.Str("n").VarInt(1).Bytes(0).VarInt(0).VarInt(0).VarInt(1).VarInt(1).Str([0xC0, 0x80]).VarInt(2).Str("v"))),
        ["encoded surrogate in a value"] = (DropReason.BadUtf8, () => RawDelta(r => r.Str("n").VarInt(1).Bytes(0).VarInt(0).VarInt(0).VarInt(1).VarInt(1).Str("k").VarInt(2).Str([0xED, 0xA0, 0x80]))),
        ["cut sequence in an address"] = (DropReason.BadUtf8, () => RawDelta(r => r.Str("n").VarInt(1).Bytes(0x01).Str([0x31, 0xE2, 0x82]))),

        ["empty id in a leave"] = (DropReason.InvalidField, () => RawLeave("", 1)),
        ["empty id in a digest"] = (DropReason.InvalidField, () => RawDigest(0, r => r.VarInt(2).Str("").VarInt(0).VarInt(0).VarInt(0).Str("abcdef").VarInt(0).VarInt(0).VarInt(0))),
        ["empty id in a delta"] = (DropReason.InvalidField, () => RawDelta(r => r.NodeDelta(id: ""))),
        ["generation 0 in a leave"] = (DropReason.InvalidField, () => RawLeave("a", 0)),
        ["generation 0 in a delta"] = (DropReason.InvalidField, () => RawDelta(r => r.NodeDelta(generation: 0))),
        ["unknown digest flag"] = (DropReason.InvalidField, () => RawDigest(0x04, r => r.VarInt(0))),
        ["digest watermark section empty"] = (DropReason.InvalidField, () => RawDigest(0x02, r => r.VarInt(1).Str("a").VarInt(1).VarInt(0).VarInt(3).VarInt(0))),
        ["digest watermark index out of range"] = (DropReason.InvalidField, () => RawDigest(0x02, r => r.VarInt(1).Str("a").VarInt(1).VarInt(0).VarInt(3).VarInt(1).VarInt(1).VarInt(2))),
        ["digest watermark not above max version"] = (DropReason.InvalidField, () => RawDigest(0x02, r => r.VarInt(1).Str("a").VarInt(1).VarInt(0).VarInt(3).VarInt(1).VarInt(0).VarInt(0))),
        ["digest watermark section past the end"] = (DropReason.LengthOutOfRange, () => RawDigest(0x02, r => r.VarInt(1).Str("a").VarInt(1).VarInt(0).VarInt(3))),
        ["unknown node flag 0x04"] = (DropReason.InvalidField, () => RawDelta(r => r.NodeDelta(flags: 0x04))),
        ["unknown node flag 0x80"] = (DropReason.InvalidField, () => RawDelta(r => r.NodeDelta(flags: 0x80))),
        ["address without port"] = (DropReason.InvalidField, () => RawDelta(r => r.NodeDelta(flags: 0x01, address: "localhost"))),
        ["address with port 65536"] = (DropReason.InvalidField, () => RawDelta(r => r.NodeDelta(flags: 0x01, address: "h:65536"))),
        ["unbracketed IPv6 address"] = (DropReason.InvalidField, () => RawDelta(r => r.NodeDelta(flags: 0x01, address: "::1:80"))),
        ["empty address"] = (DropReason.InvalidField, () => RawDelta(r => r.NodeDelta(flags: 0x01, address: ""))),
        ["address with a space"] = (DropReason.InvalidField, () => RawDelta(r => r.NodeDelta(flags: 0x01, address: "my host:80"))),
        ["from plus span past long.MaxValue"] = (DropReason.InvalidField, () => RawDelta(r => r.NodeDelta(from: long.MaxValue, span: 1, pairs: []))),
        ["reset not starting at 0"] = (DropReason.InvalidField, () => RawDelta(r => r.NodeDelta(flags: 0x02, from: 1, span: 2, watermark: 0, pairs: [new RawPair("k", 2, "v")]))),
        ["pair version gap 0"] = (DropReason.InvalidField, () => RawDelta(r => r.NodeDelta(pairs: [new RawPair("k", 0, "v")]))),
        ["tombstone version gap 0"] = (DropReason.InvalidField, () => RawDelta(r => r.NodeDelta(pairs: [new RawPair("k", 1, null)]))),
        ["pair version past last"] = (DropReason.InvalidField, () => RawDelta(r => r.NodeDelta(span: 1, pairs: [new RawPair("k", 2 << 1, "v")]))),
        ["second pair past last"] = (DropReason.InvalidField, () => RawDelta(r => r.NodeDelta(span: 2, pairs: [new RawPair("a", 2, "v"), new RawPair("b", 4, "v")]))),
        ["empty key"] = (DropReason.InvalidField, () => RawDelta(r => r.NodeDelta(pairs: [new RawPair("", 2, "v")]))),

        ["byte after a leave"] = (DropReason.TrailingBytes, () => [.. RawLeave("a", 1), 0]),
        ["byte after a digest"] = (DropReason.TrailingBytes, () => RawDigest(0, r => r.VarInt(0).Bytes(0x00))),
        ["second delta after a delta"] = (DropReason.TrailingBytes, () => [.. RawDelta(r => r.NodeDelta()), .. RawDelta(r => r.NodeDelta())[WireFormat.HeaderSize..]]),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Each_defect_is_dropped_with_its_own_reason(string name)
    {
        var (expected, build) = Cases[name];
        var bytes = build();
        var reason = MessageCodec.TryDecode(bytes, Cluster, ProtocolLimits.Default, out var message);
        Assert.Equal(expected, reason);
        Assert.Equal(expected == DropReason.None, message is not null);
    }

    [Fact]
    public void The_decoder_enforces_the_limits_it_is_given()
    {
        var tight = new ProtocolLimits { MaxNodes = 1, MaxKeysPerNode = 1, MaxKeyBytes = 2, MaxValueBytes = 3 };
        var twoNodes = RawDatagram.Header(MessageType.Delta, Cluster).VarInt(2).NodeDelta(id: "a", pairs: []).NodeDelta(id: "b", pairs: []).ToArray();
        var twoEntries = RawDigest(0, r => r.VarInt(2).Str("a").VarInt(0).VarInt(0).VarInt(0).Str("b").VarInt(0).VarInt(0).VarInt(0));
        var twoPairs = RawDelta(r => r.NodeDelta());
        var longKey = RawDelta(r => r.NodeDelta(pairs: [new RawPair("kkk", 2, "v")]));
        var longValue = RawDelta(r => r.NodeDelta(pairs: [new RawPair("k", 2, "vvvv")]));
        var fits = RawDelta(r => r.NodeDelta(pairs: [new RawPair("kk", 2, "vvv")]));

        foreach (var bytes in new[] { twoNodes, twoEntries, twoPairs, longKey, longValue })
        {
            Assert.Equal(DropReason.None, MessageCodec.TryDecode(bytes, Cluster, ProtocolLimits.Default, out _));
            Assert.Equal(DropReason.LengthOutOfRange, MessageCodec.TryDecode(bytes, Cluster, tight, out var message));
            Assert.Null(message);
        }

        Assert.Equal(DropReason.None, MessageCodec.TryDecode(fits, Cluster, tight, out _));
    }

    [Fact]
    public void Datagram_codec_refuses_datagrams_over_its_size_limit_before_decoding()
    {
        var codec = new DatagramCodec("prod", WireFormat.MinimumBudget);
        var message = new LeaveMessage(new string('a', WireFormat.MinimumBudget - WireFormat.HeaderSize - 2), 1);
        var bytes = codec.Encode(message);
        Assert.Equal(WireFormat.MinimumBudget, bytes.Length);

        Assert.Equal(DropReason.None, codec.TryDecode(bytes, out var decoded));
        Assert.Equal(message, decoded);
        Assert.Equal(DropReason.TooLarge, codec.TryDecode([.. bytes, 0], out decoded));
        Assert.Null(decoded);
        // Even junk is refused on size alone, before the header is looked at.
        Assert.Equal(DropReason.TooLarge, codec.TryDecode(new byte[WireFormat.MinimumBudget + 1], out _));
        Assert.Throws<InvalidOperationException>(() => codec.Encode(new LeaveMessage(message.NodeId + "a", 1)));
    }

    [Fact]
    public void Datagram_codec_drops_another_clusters_datagrams()
    {
        var prod = new DatagramCodec("prod", 1400);
        var staging = new DatagramCodec("staging", 1400);
        var bytes = staging.Encode(new LeaveMessage("a", 1));
        Assert.Equal(DropReason.WrongCluster, prod.TryDecode(bytes, out var message));
        Assert.Null(message);
        Assert.Equal(DropReason.None, staging.TryDecode(bytes, out _));
    }

    // ------------------------------------------------------------------ helpers

    private static byte[] AssertRoundTrips(GossipMessage message)
    {
        var bytes = MessageCodec.Encode(message, Cluster);
        Assert.Equal(WireFormat.MessageSize(message), bytes.Length);
        var reason = MessageCodec.TryDecode(bytes, Cluster, ProtocolLimits.Default, out var decoded);
        Assert.Equal(DropReason.None, reason);
        Assert.Equal(message, decoded);
        // One message, one byte form: re-encoding what was decoded gives the same bytes.
        Assert.Equal(bytes, MessageCodec.Encode(decoded!, Cluster));
        return bytes;
    }

    private static DropReason Decode(byte[] bytes)
    {
        var reason = MessageCodec.TryDecode(bytes, Cluster, ProtocolLimits.Default, out var message);
        Assert.Equal(reason == DropReason.None, message is not null);
        return reason;
    }

    private static byte[] Encode(NodeDelta node) => MessageCodec.Encode(new DeltaMessage(new Delta([node])), Cluster);

    private static byte[] RawLeave(string id, ulong generation) => RawDatagram.Header(MessageType.Leave, Cluster).Str(id).VarInt(generation).ToArray();

    private static byte[] RawDigest(byte flags, Func<RawDatagram, RawDatagram> entries) =>
        entries(RawDatagram.Header(MessageType.DigestRequest, Cluster).Bytes(flags)).ToArray();

    /// <summary>A delta datagram holding the one node delta that <paramref name="node"/> writes.</summary>
    private static byte[] RawDelta(Func<RawDatagram, RawDatagram> node) =>
        node(RawDatagram.Header(MessageType.Delta, Cluster).VarInt(1)).ToArray();

    private static byte[] Patch(byte[] bytes, int index, byte value)
    {
        bytes[index] = value;
        return bytes;
    }

    private static uint Fnv1a(byte[] bytes)
    {
        var hash = 0x811C9DC5u;
        foreach (var b in bytes)
            hash = (hash ^ b) * 0x01000193u;
        return hash;
    }
}
