using System.Text;
using CsCheck;
using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Tests.Protocol.Wire;

/// <summary>
/// CsCheck generators of well-formed gossip messages (every value the decoder accepts, edge cases weighted up), and a
/// deterministic way to run a property over them.
/// </summary>
internal static class MessageGenerators
{
    // Code points from every UTF-8 length class (1 to 4 bytes) and U+0000 (reserved keys start with it); surrogate
    // code points are not text, and the encoder would replace them, so they are left out.
    private static readonly Gen<int> CodePoint = Gen.Frequency(
        (8, Gen.Int['a', 'z']),
        (2, Gen.Int[0x20, 0x7E]),
        (1, Gen.Const(0)),
        (2, Gen.Int[0x80, 0x7FF]),
        (2, Gen.Int[0x800, 0xD7FF]),
        (1, Gen.Int[0xE000, 0xFFFF]),
        (2, Gen.Int[0x10000, 0x10FFFF]));

    /// <summary>A non-negative counter: versions, heartbeats, generations. Varint boundaries and the extremes come up often.</summary>
    public static readonly Gen<long> Counter = Gen.Frequency(
        (6, Gen.Long[0, 300]),
        (3, Gen.OneOfConst(0L, 1L, 127L, 128L, 16_383L, 16_384L, 2_097_151L, 2_097_152L, (1L << 35) - 1, 1L << 35, (1L << 56) - 1, 1L << 56, (1L << 62) + 1, long.MaxValue - 1, long.MaxValue)),
        (3, Gen.Long[0, long.MaxValue]));

    /// <summary>A generation a node delta or leave may carry: positive.</summary>
    public static readonly Gen<long> Generation = Counter.Select(g => g == 0 ? 1 : g);

    /// <summary>A node id of 1 to 256 UTF-8 bytes; exactly 256 bytes comes up often.</summary>
    public static readonly Gen<string> NodeId = Gen.Frequency(
        (6, Text(1, 12, ProtocolLimits.MaxNodeIdBytesHardLimit)),
        (1, Text(60, 90, ProtocolLimits.MaxNodeIdBytesHardLimit)),
        (1, Gen.OneOfConst(new string('n', ProtocolLimits.MaxNodeIdBytesHardLimit), string.Concat(Enumerable.Repeat("\U0001F600", 64)))));

    /// <summary>A key of 1 to <see cref="ProtocolLimits.MaxKeyBytes"/> UTF-8 bytes, reserved keys included.</summary>
    public static readonly Gen<string> Key = Gen.Frequency(
        (8, Text(1, 10, ProtocolLimits.Default.MaxKeyBytes)),
        (1, Gen.OneOfConst(ReservedKeys.Left, new string('k', ProtocolLimits.Default.MaxKeyBytes))));

    /// <summary>A value of 0 to <see cref="ProtocolLimits.MaxValueBytes"/> UTF-8 bytes.</summary>
    public static readonly Gen<string> Value = Gen.Frequency(
        (8, Text(0, 16, ProtocolLimits.Default.MaxValueBytes)),
        (1, Gen.OneOfConst("", new string('v', ProtocolLimits.Default.MaxValueBytes))));

    /// <summary>A gossip address the decoder accepts: IPv4, bracketed IPv6, or a host name, with any port.</summary>
    public static readonly Gen<string> Address =
        from host in Gen.OneOfConst("127.0.0.1", "10.1.2.3", "[::1]", "[fe80::1:2]", "node-7.example.org", "h")
        from port in Gen.Int[0, 65535]
        select $"{host}:{port}";

    /// <summary>A digest entry; generation 0 ("send me this node") included.</summary>
    public static readonly Gen<DigestEntry> DigestEntry =
        Gen.Select(NodeId, Counter, Counter, Counter, (id, gen, hb, ver) => new DigestEntry(id, gen, hb, ver));

    /// <summary>A digest of 0 to 6 entries, complete or not.</summary>
    public static readonly Gen<Digest> Digest =
        Gen.Select(DigestEntry.Array[0, 6], Gen.Bool, (entries, complete) => new Digest(entries, complete));

    /// <summary>A well-formed node delta: pairs strictly ascending within (from, last], resets from 0 with a watermark at most last.</summary>
    public static readonly Gen<NodeDelta> NodeDelta =
        from id in NodeId
        from gen in Generation
        from address in Gen.Frequency((2, Gen.Const((string?)null)), (1, Address.Select(a => (string?)a)))
        from hb in Counter
        from isReset in Gen.Frequency((3, Gen.Const(false)), (1, Gen.Const(true)))
        from fromRaw in Counter
        from gaps in Gen.Frequency((4, Gen.Long[1, 5]), (1, Gen.Long[1, long.MaxValue])).Array[0, 6]
        from tail in Gen.Frequency((3, Gen.Const(0L)), (1, Counter))
        from pairs in Gen.Select(Key, Value, Gen.Frequency((3, Gen.Const(false)), (1, Gen.Const(true)))).Array[gaps.Length]
        from watermarkFraction in Gen.Double[0, 1]
        select BuildNodeDelta(id, gen, address, hb, isReset, fromRaw, gaps, tail, pairs, watermarkFraction);

    /// <summary>A delta of 0 to 4 node deltas.</summary>
    public static readonly Gen<Delta> Delta = NodeDelta.Array[0, 4].Select(nodes => new Delta(nodes));

    /// <summary>Any message the encoder can produce from well-formed data.</summary>
    public static readonly Gen<GossipMessage> Message = Gen.OneOf<GossipMessage>(
        Digest.Select(d => (GossipMessage)new DigestRequest(d)),
        Gen.Select(Delta, Digest, (delta, digest) => (GossipMessage)new DigestResponse(delta, digest)),
        Delta.Select(d => (GossipMessage)new DeltaMessage(d)),
        Gen.Select(NodeId, Generation, (id, gen) => (GossipMessage)new LeaveMessage(id, gen)));

    /// <summary>
    /// Runs <paramref name="property"/> on <paramref name="count"/> samples drawn from a fixed seed, so a failure
    /// reproduces on every run; the failing sample's index and description are in the exception.
    /// </summary>
    public static void ForAll<T>(Gen<T> gen, ulong seed, int count, Action<T> property, Func<T, string>? describe = null)
    {
        var pcg = new PCG(1, seed);
        for (var i = 0; i < count; i++)
        {
            var sample = gen.Generate(pcg, null, out _);
            try
            {
                property(sample);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"Property failed on sample {i} of seed {seed}: {describe?.Invoke(sample) ?? sample?.ToString()}", e);
            }
        }
    }

    /// <summary>Draws <paramref name="count"/> samples from a fixed seed.</summary>
    public static List<T> Samples<T>(Gen<T> gen, ulong seed, int count)
    {
        var pcg = new PCG(1, seed);
        var list = new List<T>(count);
        for (var i = 0; i < count; i++)
            list.Add(gen.Generate(pcg, null, out _));
        return list;
    }

    /// <summary>Text of <paramref name="minCodePoints"/> to <paramref name="maxCodePoints"/> code points, cut to at most <paramref name="maxBytes"/> UTF-8 bytes.</summary>
    public static Gen<string> Text(int minCodePoints, int maxCodePoints, int maxBytes) =>
        CodePoint.Array[minCodePoints, maxCodePoints].Select(cps =>
        {
            var sb = new StringBuilder();
            var bytes = 0;
            foreach (var cp in cps)
            {
                var s = char.ConvertFromUtf32(cp);
                var n = Encoding.UTF8.GetByteCount(s);
                if (bytes + n > maxBytes)
                    break;
                bytes += n;
                sb.Append(s);
            }

            return sb.ToString();
        });

    private static NodeDelta BuildNodeDelta(
        string id, long gen, string? address, long hb, bool isReset, long fromRaw, long[] gaps, long tail,
        (string Key, string Value, bool Deleted)[] pairs, double watermarkFraction)
    {
        var from = isReset ? 0 : fromRaw;
        var updates = new List<KeyValueUpdate>(pairs.Length);
        var prev = from;
        for (var i = 0; i < pairs.Length; i++)
        {
            // Each gap is cut so the later pairs still have room below long.MaxValue.
            var room = (long.MaxValue - prev) / (pairs.Length - i);
            var gap = Math.Min(gaps[i], room);
            if (gap < 1)
                break;
            prev += gap;
            var (key, value, deleted) = pairs[i];
            updates.Add(new KeyValueUpdate(key, deleted ? "" : value, prev, deleted));
        }

        var last = prev + Math.Min(tail, long.MaxValue - prev);
        var watermark = isReset ? (long)(last * watermarkFraction) : 0;
        watermark = Math.Clamp(watermark, 0, last);
        return new NodeDelta(id, gen, address, hb, from, last, isReset, watermark, updates);
    }
}
