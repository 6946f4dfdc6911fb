using System.Buffers.Binary;
using System.Text;
using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.Security;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;
using static ScuttlebuttAkka.Tests.Protocol.Reconciliation.ExchangeHarness;

namespace ScuttlebuttAkka.Tests.Protocol.Security;

public sealed class EncryptionTests
{
    private const string ClusterName = "prod-eu";
    private const int MaxDatagram = 1400;
    private const string Secret = "attack at dawn";

    private static readonly EncryptionMode[] MigrationOrder =
        [EncryptionMode.Off, EncryptionMode.AcceptEncrypted, EncryptionMode.SendEncrypted, EncryptionMode.Required];

    // ---------------------------------------------------------------- helpers

    private static byte[] Key(int size, int seed)
    {
        var key = new byte[size];
        new Random(seed).NextBytes(key);
        return key;
    }

    private static DatagramCodec Codec(KeyRing? ring, EncryptionMode mode = EncryptionMode.Required, string cluster = ClusterName, int max = MaxDatagram) =>
        new(cluster, max, null, ring is null ? null : new EncryptionSettings(ring, mode));

    private static byte[] Plain(GossipMessage m, string cluster = ClusterName) => MessageCodec.Encode(m, WireFormat.ClusterHash(cluster));

    /// <summary>One message of each type, built by real views, one of them carrying <see cref="Secret"/>.</summary>
    private static GossipMessage[] SampleMessages()
    {
        var a = new ClusterState("node-a", 1, "127.0.0.1:7001");
        var b = new ClusterState("node-b", 2, "127.0.0.1:7002");
        a.Set("role", "web", 0);
        a.Set("plan", Secret, 0);
        b.Set("load", "0.5", 0);
        b.Set("gone", "x", 0);
        b.Delete("gone", 0);
        var rng = new Random(7);
        var request = new DigestRequest(a.BuildDigest(1000, rng));
        var response = b.HandleDigestRequest(request.Digest, 1000, rng, new ApplyReport());
        var delta = a.HandleDigestResponse(response, 1000, 0, rng, new ApplyReport());
        Assert.NotNull(delta);
        return [request, response, delta, new LeaveMessage("node-a", 1)];
    }

    private static void AssertSameMessage(GossipMessage expected, GossipMessage? actual) =>
        Assert.Equal(Plain(expected), Plain(actual!));

    private static bool Contains(ReadOnlySpan<byte> haystack, string needle) => haystack.IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0;

    private sealed class Peer(string id, ClusterState state)
    {
        public string Id { get; } = id;

        public ClusterState State { get; } = state;

        public DatagramCodec Codec { get; set; } = null!;
    }

    private static Peer[] Peers(int count)
    {
        var peers = new Peer[count];
        for (var i = 0; i < count; i++)
        {
            var state = new ClusterState($"peer-{i}", 1, $"127.0.0.1:{7100 + i}");
            state.Set("role", $"role-{i}", 0);
            peers[i] = new Peer(state.SelfId, state);
        }

        return peers;
    }

    /// <summary>Encodes with the sender's codec and decodes with the receiver's, asserting the datagram fits and is accepted.</summary>
    private static T Deliver<T>(Peer from, Peer to, T message, List<int>? sizes = null) where T : GossipMessage
    {
        var datagram = from.Codec.Encode(message);
        sizes?.Add(datagram.Length);
        Assert.True(datagram.Length <= from.Codec.MaxDatagramBytes, $"{datagram.Length}-byte datagram exceeds {from.Codec.MaxDatagramBytes}");
        var reason = to.Codec.TryDecode(datagram, out var decoded);
        Assert.True(reason == DropReason.None, $"{from.Id} -> {to.Id}: {typeof(T).Name} dropped as {reason}");
        return (T)decoded!;
    }

    /// <summary>One full round from <paramref name="a"/> to <paramref name="b"/> through both codecs; returns the datagrams sent.</summary>
    private static int Round(Peer a, Peer b, Random rng, List<int>? sizes = null)
    {
        var syn = Deliver(a, b, new DigestRequest(a.State.BuildDigest(a.Codec.MessageBudget, rng)), sizes);
        var synAck = Deliver(b, a, b.State.HandleDigestRequest(syn.Digest, b.Codec.MessageBudget, rng, new ApplyReport()), sizes);
        var ack = a.State.HandleDigestResponse(synAck, a.Codec.MessageBudget, 0, rng, new ApplyReport());
        if (ack is null)
            return 2;
        b.State.ApplyDelta(Deliver(a, b, ack, sizes).Delta, 0, new ApplyReport());
        return 3;
    }

    /// <summary>Every peer runs a round with every other peer; all datagrams must be accepted.</summary>
    private static int AllPairsRound(Peer[] peers, Random rng)
    {
        var sent = 0;
        foreach (var a in peers)
        {
            foreach (var b in peers)
            {
                if (a != b)
                    sent += Round(a, b, rng);
            }
        }

        return sent;
    }

    // ---------------------------------------------------------------- round trips and modes

    [Theory]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(32)]
    public void Every_message_type_round_trips_encrypted_and_hides_its_content(int keySize)
    {
        var codec = Codec(KeyRing.Create(Key(keySize, keySize)));
        foreach (var message in SampleMessages())
        {
            var datagram = codec.Encode(message);
            var plain = Plain(message);

            Assert.True(EncryptedEnvelope.IsEncrypted(datagram));
            Assert.Equal(plain.Length + EncryptedEnvelope.Overhead, datagram.Length);
            Assert.Equal(DropReason.None, codec.TryDecode(datagram, out var decoded));
            AssertSameMessage(message, decoded);
            Assert.False(Contains(datagram, "node-a"), "a node id travelled in clear");
        }

        // The secret is in the clear in the plaintext encoding, so the check above is not vacuous.
        var withSecret = SampleMessages().First(m => Contains(Plain(m), Secret));
        Assert.False(Contains(codec.Encode(withSecret), Secret));
    }

    [Fact]
    public void Overhead_and_budget_follow_what_the_mode_sends()
    {
        var ring = KeyRing.Create(Key(32, 1));
        Assert.Equal(0, new DatagramCodec(ClusterName, MaxDatagram).Overhead);
        Assert.Equal(MaxDatagram, new DatagramCodec(ClusterName, MaxDatagram).MessageBudget);
        foreach (var mode in MigrationOrder)
        {
            var codec = Codec(ring, mode);
            var sendsEncrypted = mode is EncryptionMode.SendEncrypted or EncryptionMode.Required;
            Assert.Equal(sendsEncrypted ? 36 : 0, codec.Overhead);
            Assert.Equal(MaxDatagram - codec.Overhead, codec.MessageBudget);
            var datagram = codec.Encode(new LeaveMessage("n", 1));
            Assert.Equal(sendsEncrypted, EncryptedEnvelope.IsEncrypted(datagram));
        }

        Assert.Equal(8 + 12 + 16, EncryptedEnvelope.Overhead);
    }

    [Fact]
    public void The_datagram_limit_must_leave_room_for_a_message_and_the_envelope()
    {
        var ring = KeyRing.Create(Key(16, 1));
        var tooSmall = Assert.Throws<ArgumentOutOfRangeException>(() => Codec(ring, EncryptionMode.Required, max: 99));
        Assert.Contains("at least 100 bytes", tooSmall.Message, StringComparison.Ordinal);
        Assert.Equal(64, Codec(ring, EncryptionMode.Required, max: 100).MessageBudget);
        // Modes that send plaintext keep the plaintext minimum.
        Assert.Equal(64, Codec(ring, EncryptionMode.AcceptEncrypted, max: 64).MessageBudget);
    }

    [Fact]
    public void Settings_without_keys_or_with_an_unknown_mode_are_refused()
    {
        var noKeys = Assert.Throws<ArgumentException>(() => new EncryptionSettings(null!, EncryptionMode.Required).Validate());
        Assert.Contains("key ring", noKeys.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Codec(KeyRing.Create(Key(16, 1)), (EncryptionMode)42));
    }

    [Fact]
    public void Settings_can_be_logged_without_leaking_a_key()
    {
        var key = Key(32, 1);
        var text = new EncryptionSettings(KeyRing.Create(key), EncryptionMode.SendEncrypted).ToString();
        Assert.Contains(KeyRing.KeyIdOf(key).ToString("x8", null), text, StringComparison.Ordinal);
        Assert.Contains("SendEncrypted", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(key), text, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- rejection paths

    [Fact]
    public void An_encrypted_datagram_at_a_node_without_encryption_is_EncryptionNotConfigured()
    {
        var ring = KeyRing.Create(Key(32, 1));
        var datagram = Codec(ring).Encode(new LeaveMessage("n", 1));

        Assert.Equal(DropReason.EncryptionNotConfigured, new DatagramCodec(ClusterName, MaxDatagram).TryDecode(datagram, out var m1));
        Assert.Equal(DropReason.EncryptionNotConfigured, Codec(ring, EncryptionMode.Off).TryDecode(datagram, out var m2));
        Assert.Null(m1);
        Assert.Null(m2);
    }

    [Fact]
    public void Plaintext_at_a_node_that_requires_encryption_is_NotEncrypted_and_garbage_keeps_its_own_reason()
    {
        var strict = Codec(KeyRing.Create(Key(32, 1)));
        var plain = new DatagramCodec(ClusterName, MaxDatagram);
        foreach (var message in SampleMessages())
        {
            Assert.Equal(DropReason.NotEncrypted, strict.TryDecode(Plain(message), out var decoded));
            Assert.Null(decoded);
        }

        byte[][] garbage =
        [
            [],
            [WireFormat.Magic0, WireFormat.Magic1, WireFormat.ProtocolVersion],
            [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08],
            [WireFormat.Magic0, WireFormat.Magic1, 99, 1, 0, 0, 0, 0, 0],
            [WireFormat.Magic0, WireFormat.Magic1, WireFormat.ProtocolVersion, 0x7F, 0, 0, 0, 0, 0],
        ];
        DropReason[] expected = [DropReason.TooShort, DropReason.TooShort, DropReason.BadMagic, DropReason.UnsupportedVersion, DropReason.UnknownMessageType];
        for (var i = 0; i < garbage.Length; i++)
        {
            Assert.Equal(expected[i], strict.TryDecode(garbage[i], out _));
            Assert.Equal(expected[i], plain.TryDecode(garbage[i], out _));
        }
    }

    [Fact]
    public void A_key_id_the_receiver_does_not_hold_is_UnknownKey()
    {
        var sendKey = Key(32, 1);
        var otherKey = Key(32, 2);
        Assert.NotEqual(KeyRing.KeyIdOf(sendKey), KeyRing.KeyIdOf(otherKey));
        var datagram = Codec(KeyRing.Create(sendKey)).Encode(new LeaveMessage("n", 1));

        Assert.Equal(DropReason.UnknownKey, Codec(KeyRing.Create(otherKey)).TryDecode(datagram, out var decoded));
        Assert.Null(decoded);
        Assert.Equal(DropReason.None, Codec(KeyRing.Create(otherKey, sendKey)).TryDecode(datagram, out _));
    }

    [Fact]
    public void The_same_key_in_another_cluster_fails_authentication()
    {
        var ring = KeyRing.Create(Key(32, 1));
        var datagram = Codec(ring, cluster: "prod-eu").Encode(new LeaveMessage("n", 1));

        Assert.Equal(DropReason.DecryptionFailed, Codec(ring, cluster: "prod-us").TryDecode(datagram, out var decoded));
        Assert.Null(decoded);
        // Names that differ only in letter case are different clusters too.
        Assert.Equal(DropReason.DecryptionFailed, Codec(ring, cluster: "Prod-EU").TryDecode(datagram, out _));
        Assert.Equal(DropReason.None, Codec(ring, cluster: "prod-eu").TryDecode(datagram, out _));
    }

    [Fact]
    public void After_decryption_the_inner_message_is_checked_as_usual()
    {
        var ring = KeyRing.Create(Key(32, 1));
        var receiver = Codec(ring);
        var cipher = new EnvelopeCipher(ring, ClusterName);

        // Sealed by a key holder but carrying another cluster's hash, or an envelope inside an envelope.
        var otherCluster = cipher.Seal(Plain(new LeaveMessage("n", 1), "another-cluster"));
        var nested = cipher.Seal(cipher.Seal(Plain(new LeaveMessage("n", 1))));
        var empty = cipher.Seal([]);

        Assert.Equal(DropReason.WrongCluster, receiver.TryDecode(otherCluster, out _));
        Assert.Equal(DropReason.UnknownMessageType, receiver.TryDecode(nested, out _));
        Assert.Equal(DropReason.TooShort, receiver.TryDecode(empty, out _));
    }

    [Fact]
    public void Keys_sharing_a_key_id_are_both_tried_and_the_wrong_one_fails_authentication()
    {
        // A birthday search over seeded random keys finds two 4-byte ids that collide after about 2^16 tries.
        var rng = new Random(2024);
        var seen = new Dictionary<uint, byte[]>();
        byte[] first, second;
        while (true)
        {
            var key = new byte[16];
            rng.NextBytes(key);
            if (seen.TryGetValue(KeyRing.KeyIdOf(key), out var earlier))
            {
                (first, second) = (earlier, key);
                break;
            }

            seen.Add(KeyRing.KeyIdOf(key), key);
        }

        var fromFirst = Codec(KeyRing.Create(first)).Encode(new LeaveMessage("n", 1));
        var fromSecond = Codec(KeyRing.Create(second)).Encode(new LeaveMessage("n", 2));
        var both = Codec(KeyRing.Create(first, second));

        Assert.Equal(DropReason.None, both.TryDecode(fromFirst, out _));
        Assert.Equal(DropReason.None, both.TryDecode(fromSecond, out var decoded));
        Assert.Equal(new LeaveMessage("n", 2), decoded);
        Assert.Equal(DropReason.DecryptionFailed, Codec(KeyRing.Create(first)).TryDecode(fromSecond, out _));
    }

    [Fact]
    public void Changing_any_single_byte_is_rejected_with_the_reason_of_the_field_it_hit()
    {
        var ring = KeyRing.Create(Key(32, 1));
        var strict = Codec(ring);
        var lenient = Codec(ring, EncryptionMode.SendEncrypted);
        var rng = new Random(11);
        foreach (var message in SampleMessages())
        {
            var original = strict.Encode(message);
            for (var i = 0; i < original.Length; i++)
            {
                foreach (var mask in new byte[] { 0x01, 0x80, 0xFF, (byte)rng.Next(1, 256) })
                {
                    var tampered = (byte[])original.Clone();
                    tampered[i] ^= mask;
                    var reason = strict.TryDecode(tampered, out var decoded);
                    Assert.Null(decoded);
                    Assert.NotEqual(DropReason.None, lenient.TryDecode(tampered, out _));
                    switch (i)
                    {
                        case 0 or 1:
                            Assert.Equal(DropReason.BadMagic, reason);
                            break;
                        case 2:
                            Assert.Equal(DropReason.UnsupportedVersion, reason);
                            break;
                        case 3:
                            // A plaintext type byte makes it plaintext, which this node refuses; anything else is unknown.
                            Assert.Equal(tampered[3] is >= 1 and <= 4 ? DropReason.NotEncrypted : DropReason.UnknownMessageType, reason);
                            break;
                        case < EncryptedEnvelope.HeaderSize:
                            Assert.Equal(DropReason.UnknownKey, reason);
                            break;
                        default:
                            Assert.Equal(DropReason.DecryptionFailed, reason);
                            break;
                    }
                }
            }
        }
    }

    [Fact]
    public void Every_truncation_of_an_encrypted_datagram_is_rejected()
    {
        var codec = Codec(KeyRing.Create(Key(24, 1)));
        var original = codec.Encode(SampleMessages()[1]);
        for (var length = 0; length < original.Length; length++)
        {
            var reason = codec.TryDecode(original.AsSpan(0, length), out var decoded);
            Assert.Null(decoded);
            // Too short to hold a header, nonce and tag; longer prefixes cut the tag and fail authentication.
            Assert.Equal(length < EncryptedEnvelope.Overhead ? DropReason.TooShort : DropReason.DecryptionFailed, reason);
        }
    }

    [Fact]
    public void An_encrypted_datagram_over_the_limit_is_TooLarge()
    {
        var ring = KeyRing.Create(Key(32, 1));
        var big = Codec(ring, max: 4000).Encode(new LeaveMessage(new string('n', 200), 1));
        Assert.Equal(DropReason.TooLarge, Codec(ring, max: big.Length - 1).TryDecode(big, out _));
        Assert.Equal(DropReason.None, Codec(ring, max: big.Length).TryDecode(big, out _));
    }

    // ---------------------------------------------------------------- budget

    /// <summary>A view that knows <paramref name="nodes"/> peers with <paramref name="keysPerNode"/> keys each.</summary>
    private static ClusterState Populated(int nodes, int keysPerNode, int maxValueBytes, Random rng)
    {
        var hub = new ClusterState("hub", 1, "127.0.0.1:7000");
        var asksForEverything = new Digest([], IsComplete: true);
        for (var i = 0; i < nodes; i++)
        {
            var n = new ClusterState($"node-{i:D4}", 1000 + i, $"10.0.{i / 250}.{i % 250}:7946");
            for (var k = 0; k < keysPerNode; k++)
                n.Set($"key-{k}", new string((char)('a' + (k % 26)), rng.Next(0, maxValueBytes)), 0);
            hub.ApplyDelta(n.BuildDelta(asksForEverything, WireFormat.MaximumBudget, rng), 0, new ApplyReport());
        }

        Assert.Equal(nodes + 1, hub.Nodes.Count);
        return hub;
    }

    [Theory]
    [InlineData(100)]
    [InlineData(508)]
    [InlineData(1400)]
    public void Datagrams_built_with_MessageBudget_never_exceed_MaxDatagramBytes(int maxDatagramBytes)
    {
        var rng = new Random(maxDatagramBytes);
        var ring = KeyRing.Create(Key(32, 1));
        var hub = new Peer("hub", Populated(nodes: 300, keysPerNode: 12, maxValueBytes: maxDatagramBytes / 4, rng)) { Codec = Codec(ring, max: maxDatagramBytes) };
        var fresh = new Peer("fresh", new ClusterState("fresh", 1, "127.0.0.1:7999")) { Codec = Codec(ring, max: maxDatagramBytes) };

        var sizes = new List<int>();
        for (var round = 0; round < 100; round++)
        {
            Round(hub, fresh, rng, sizes);
            Round(fresh, hub, rng, sizes);
        }

        Assert.All(sizes, s => Assert.InRange(s, EncryptedEnvelope.Overhead + WireFormat.HeaderSize, maxDatagramBytes));
        // The builders fill what they are given: the largest datagrams come within a few entries of the limit.
        Assert.True(sizes.Max() > maxDatagramBytes - Math.Max(40, maxDatagramBytes / 8), $"largest datagram {sizes.Max()} of {maxDatagramBytes}");
        Assert.True(fresh.State.Nodes.Count > 1);
    }

    [Fact]
    public void Budgeting_for_the_whole_datagram_without_the_envelope_would_break_the_limit()
    {
        // The control for the test above: a builder handed MaxDatagramBytes instead of MessageBudget overflows.
        var rng = new Random(3);
        var hub = Populated(nodes: 300, keysPerNode: 4, maxValueBytes: 20, rng);
        var codec = Codec(KeyRing.Create(Key(32, 1)));
        var digest = new DigestRequest(hub.BuildDigest(codec.MaxDatagramBytes, rng));
        Assert.Throws<InvalidOperationException>(() => codec.Encode(digest));
        Assert.True(codec.Encode(new DigestRequest(hub.BuildDigest(codec.MessageBudget, rng))).Length <= codec.MaxDatagramBytes);
    }

    // ---------------------------------------------------------------- nonces

    private static UInt128 NonceOf(byte[] datagram) =>
        ((UInt128)BinaryPrimitives.ReadUInt32BigEndian(datagram.AsSpan(EncryptedEnvelope.HeaderSize)) << 64)
        | BinaryPrimitives.ReadUInt64BigEndian(datagram.AsSpan(EncryptedEnvelope.HeaderSize + 4));

    [Fact]
    public void Nonces_never_repeat_across_100000_encodes_from_two_threads_and_all_decode()
    {
        var codec = Codec(KeyRing.Create(Key(16, 1)));
        var datagrams = new byte[100_000][];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 2 };
        Parallel.For(0, datagrams.Length, parallel, i => datagrams[i] = codec.Encode(new LeaveMessage("n", i + 1)));

        Assert.Equal(datagrams.Length, datagrams.Select(NonceOf).Distinct().Count());
        var failures = 0;
        Parallel.For(0, datagrams.Length, parallel, i =>
        {
            if (codec.TryDecode(datagrams[i], out var m) != DropReason.None || m is not LeaveMessage { Generation: var g } || g != i + 1)
                Interlocked.Increment(ref failures);
        });
        Assert.Equal(0, failures);
    }

    [Fact]
    public void Two_codecs_sharing_a_key_use_disjoint_nonces()
    {
        var ring = KeyRing.Create(Key(32, 1));
        var a = Codec(ring);
        var b = Codec(ring);
        var message = new LeaveMessage("n", 1);
        var fromA = Enumerable.Range(0, 10_000).Select(_ => NonceOf(a.Encode(message))).ToHashSet();
        var fromB = Enumerable.Range(0, 10_000).Select(_ => NonceOf(b.Encode(message))).ToHashSet();

        Assert.Equal(10_000, fromA.Count);
        Assert.Equal(10_000, fromB.Count);
        Assert.False(fromA.Overlaps(fromB));
    }

    [Fact]
    public void The_nonce_counter_wraps_modulo_2_to_the_64_keeping_its_salt()
    {
        var sequence = new NonceSequence(0xA1B2C3D4, ulong.MaxValue - 2);
        var nonces = new List<(uint Salt, ulong Counter)>();
        var buffer = new byte[EncryptedEnvelope.NonceSize];
        for (var i = 0; i < 4; i++)
        {
            sequence.Next(buffer);
            nonces.Add((BinaryPrimitives.ReadUInt32BigEndian(buffer), BinaryPrimitives.ReadUInt64BigEndian(buffer.AsSpan(4))));
        }

        Assert.All(nonces, n => Assert.Equal(0xA1B2C3D4u, n.Salt));
        Assert.Equal(new[] { ulong.MaxValue - 1, ulong.MaxValue, 0UL, 1UL }, nonces.Select(n => n.Counter));
    }

    // ---------------------------------------------------------------- rotation and migration

    [Fact]
    public void Key_rotation_in_three_steps_node_by_node_loses_no_datagram()
    {
        var oldKey = Key(32, 100);
        var newKey = Key(32, 200);
        KeyRing[] stages =
        [
            KeyRing.Create(oldKey),
            KeyRing.Create(oldKey, newKey), // 1: the new key is accepted everywhere
            KeyRing.Create(newKey, oldKey), // 2: the new key sends everywhere, the old one is still accepted
            KeyRing.Create(newKey), // 3: the old key is gone
        ];
        var peers = Peers(3);
        var rng = new Random(5);
        var stageOf = new int[peers.Length];
        var configurations = 0;
        var sent = 0;

        void Run()
        {
            for (var i = 0; i < peers.Length; i++)
                peers[i].Codec = Codec(stages[stageOf[i]]);
            sent += AllPairsRound(peers, rng);
            configurations++;
        }

        Run();
        for (var stage = 1; stage < stages.Length; stage++)
        {
            for (var i = 0; i < peers.Length; i++)
            {
                // One node at a time, writing as it goes, so every mixed state of neighbouring steps is exercised.
                stageOf[i] = stage;
                peers[i].State.Set($"after-step-{stage}", $"{peers[i].Id}", 0);
                Run();
            }
        }

        Assert.Equal(1 + 3 * peers.Length, configurations);
        Assert.True(sent >= configurations * peers.Length * (peers.Length - 1) * 2);
        var expected = Fingerprint(peers[0].State);
        Assert.All(peers, p => Assert.Equal(expected, Fingerprint(p.State)));
        Assert.Contains("after-step-3=peer-2", expected, StringComparison.Ordinal);
        Assert.All(peers, p => Assert.False(p.Codec.Encryption!.Keys.Contains(oldKey)));
    }

    [Fact]
    public void Skipping_a_rotation_step_loses_datagrams()
    {
        var oldKey = Key(32, 100);
        var newKey = Key(32, 200);
        var message = new LeaveMessage("n", 1);

        // Step 2 reached before step 1 finished: a node that does not hold the new key cannot read it.
        var sentWithNew = Codec(KeyRing.Create(newKey, oldKey)).Encode(message);
        Assert.Equal(DropReason.UnknownKey, Codec(KeyRing.Create(oldKey)).TryDecode(sentWithNew, out _));

        // Step 3 reached before step 2 finished: the old key is dropped while someone still sends with it.
        var sentWithOld = Codec(KeyRing.Create(oldKey, newKey)).Encode(message);
        Assert.Equal(DropReason.UnknownKey, Codec(KeyRing.Create(newKey)).TryDecode(sentWithOld, out _));
    }

    [Fact]
    public void Turning_encryption_on_node_by_node_loses_no_datagram()
    {
        var ring = KeyRing.Create(Key(32, 42));
        var peers = Peers(3);
        var rng = new Random(6);
        var modeOf = new int[peers.Length];
        var configurations = 0;

        void Run()
        {
            for (var i = 0; i < peers.Length; i++)
            {
                var mode = MigrationOrder[modeOf[i]];
                // Off is written both ways a user can: no settings at all, or keys with mode Off.
                peers[i].Codec = mode == EncryptionMode.Off && i == 0 ? new DatagramCodec(ClusterName, MaxDatagram) : Codec(ring, mode);
            }

            AllPairsRound(peers, rng);
            configurations++;
        }

        Run();
        for (var step = 1; step < MigrationOrder.Length; step++)
        {
            for (var i = 0; i < peers.Length; i++)
            {
                modeOf[i] = step;
                peers[i].State.Set($"mode-{step}", MigrationOrder[step].ToString(), 0);
                Run();
            }
        }

        Assert.Equal(1 + 3 * peers.Length, configurations);
        var expected = Fingerprint(peers[0].State);
        Assert.All(peers, p => Assert.Equal(expected, Fingerprint(p.State)));
        Assert.All(peers, p => Assert.Equal(EncryptionMode.Required, p.Codec.Encryption!.Mode));
    }

    [Fact]
    public void Neighbouring_modes_understand_each_other_and_modes_further_apart_do_not()
    {
        var ring = KeyRing.Create(Key(32, 42));
        var message = new LeaveMessage("n", 1);
        for (var i = 0; i < MigrationOrder.Length; i++)
        {
            for (var j = 0; j < MigrationOrder.Length; j++)
            {
                var a = Codec(ring, MigrationOrder[i]);
                var b = Codec(ring, MigrationOrder[j]);
                var aToB = b.TryDecode(a.Encode(message), out _);
                var bToA = a.TryDecode(b.Encode(message), out _);
                var both = aToB == DropReason.None && bToA == DropReason.None;
                Assert.True(both == Math.Abs(i - j) <= 1, $"{MigrationOrder[i]} <-> {MigrationOrder[j]}: {aToB} / {bToA}");
                Assert.All(new[] { aToB, bToA }, r => Assert.Contains(r, new[] { DropReason.None, DropReason.NotEncrypted, DropReason.EncryptionNotConfigured }));
            }
        }
    }

    // ---------------------------------------------------------------- fuzz

    [Fact]
    public void Fifty_thousand_mutated_encrypted_datagrams_never_throw_and_are_never_accepted()
    {
        var sendKey = Key(32, 1);
        var otherKey = Key(16, 2);
        var otherKeyId = KeyRing.KeyIdOf(otherKey);
        var sender = Codec(KeyRing.Create(sendKey));
        // The receivers also hold a second key, so forged ids can point at a key that exists.
        var strict = Codec(KeyRing.Create(sendKey, otherKey));
        var lenient = Codec(KeyRing.Create(sendKey, otherKey), EncryptionMode.SendEncrypted);
        var originals = SampleMessages().Select(sender.Encode).ToArray();
        var rng = new Random(20240);
        var reasons = new Dictionary<DropReason, int>();
        var unchanged = 0;

        for (var n = 0; n < 50_000; n++)
        {
            var index = rng.Next(originals.Length);
            var otherIndex = (index + 1 + rng.Next(originals.Length - 1)) % originals.Length;
            var mutated = Mutate(originals[index], originals[otherIndex], otherKeyId, rng);
            var isValid = originals.Any(o => o.AsSpan().SequenceEqual(mutated));
            var reason = strict.TryDecode(mutated, out var decoded);
            var lenientReason = lenient.TryDecode(mutated, out _);
            if (isValid)
            {
                unchanged++;
                Assert.Equal(DropReason.None, reason);
                continue;
            }

            Assert.True(reason != DropReason.None, $"mutation #{n} was accepted");
            Assert.True(lenientReason != DropReason.None, $"mutation #{n} was accepted as plaintext");
            Assert.Null(decoded);
            reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
        }

        Assert.True(unchanged < 500, $"{unchanged} mutations changed nothing");
        foreach (var expected in new[] { DropReason.DecryptionFailed, DropReason.UnknownKey, DropReason.TooShort, DropReason.BadMagic, DropReason.TooLarge })
            Assert.True(reasons.GetValueOrDefault(expected) > 0, $"no mutation was dropped as {expected}");
    }

    private static byte[] Mutate(byte[] original, byte[] other, uint otherKeyId, Random rng)
    {
        var d = (byte[])original.Clone();
        switch (rng.Next(10))
        {
            case 0: // flip a few bits
                for (var i = rng.Next(1, 5); i > 0; i--)
                    d[rng.Next(d.Length)] ^= (byte)(1 << rng.Next(8));
                return d;
            case 1: // overwrite a few bytes
                for (var i = rng.Next(1, 9); i > 0; i--)
                    d[rng.Next(d.Length)] = (byte)rng.Next(256);
                return d;
            case 2: // truncate
                return d[..rng.Next(d.Length)];
            case 3: // append, sometimes past the datagram limit
                var tail = new byte[rng.Next(8) == 0 ? MaxDatagram : rng.Next(1, 33)];
                rng.NextBytes(tail);
                return [.. d, .. tail];
            case 4: // cut a range out of the middle
                var from = rng.Next(d.Length);
                return [.. d[..from], .. d[Math.Min(d.Length, from + rng.Next(1, 17))..]];
            case 5: // insert random bytes
                var at = rng.Next(d.Length + 1);
                var inserted = new byte[rng.Next(1, 9)];
                rng.NextBytes(inserted);
                return [.. d[..at], .. inserted, .. d[at..]];
            case 6: // splice the front of one datagram onto the back of another
                return [.. d[..rng.Next(d.Length + 1)], .. other[rng.Next(other.Length + 1)..]];
            case 7: // another datagram's nonce or tag
                if (rng.Next(2) == 0)
                    other.AsSpan(EncryptedEnvelope.HeaderSize, EncryptedEnvelope.NonceSize).CopyTo(d.AsSpan(EncryptedEnvelope.HeaderSize));
                else
                    other.AsSpan(other.Length - EncryptedEnvelope.TagSize).CopyTo(d.AsSpan(d.Length - EncryptedEnvelope.TagSize));
                return d;
            case 8: // point at the other key the receiver holds, or at a random id
                BinaryPrimitives.WriteUInt32BigEndian(d.AsSpan(EncryptedEnvelope.KeyIdOffset), rng.Next(2) == 0 ? otherKeyId : (uint)rng.Next());
                return d;
            default: // a valid header followed by random bytes
                var random = new byte[rng.Next(0, 200)];
                rng.NextBytes(random);
                return [.. d[..EncryptedEnvelope.HeaderSize], .. random];
        }
    }
}
