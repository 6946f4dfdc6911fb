using System.Numerics;
using System.Text;
using ScuttlebuttAkka.Protocol.Reconciliation;

namespace ScuttlebuttAkka.Protocol.Wire;

/// <summary>Constants and exact size arithmetic of the wire format (see docs/codec.md), shared by the codec and the budgeted builders.</summary>
internal static class WireFormat
{
    /// <summary>First byte of every datagram ('S').</summary>
    public const byte Magic0 = 0x53;

    /// <summary>Second byte of every datagram ('B').</summary>
    public const byte Magic1 = 0x42;

    /// <summary>The protocol version this code speaks.</summary>
    public const byte ProtocolVersion = 1;

    /// <summary>Bytes before the body: magic (2), version (1), message type (1), cluster hash (4).</summary>
    public const int HeaderSize = 8;

    /// <summary>The smallest datagram budget the builders can work with: a header plus one small digest entry or pair.</summary>
    public const int MinimumBudget = 64;

    /// <summary>The largest payload of one UDP datagram over IPv4.</summary>
    public const int MaximumBudget = 65507;

    /// <summary>Returns <paramref name="budgetBytes"/> when it lies between <see cref="MinimumBudget"/> and <see cref="MaximumBudget"/>; throws otherwise.</summary>
    public static int CheckBudget(int budgetBytes)
    {
        if (budgetBytes is < MinimumBudget or > MaximumBudget)
            throw new ArgumentOutOfRangeException(nameof(budgetBytes), budgetBytes, $"A datagram budget must be between {MinimumBudget} and {MaximumBudget} bytes.");
        return budgetBytes;
    }

    internal const byte DigestFlagComplete = 0x01;
    internal const byte DigestFlagWatermarks = 0x02;
    internal const byte KnownDigestFlags = DigestFlagComplete | DigestFlagWatermarks;
    internal const byte NodeFlagAddress = 0x01;
    internal const byte NodeFlagReset = 0x02;
    internal const byte KnownNodeFlags = NodeFlagAddress | NodeFlagReset;

    /// <summary>The 32-bit FNV-1a hash of a cluster name's UTF-8 bytes, carried in every header.</summary>
    public static uint ClusterHash(string clusterName)
    {
        ArgumentNullException.ThrowIfNull(clusterName);
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(clusterName))
        {
            hash ^= b;
            hash *= 16777619u;
        }

        return hash;
    }

    /// <summary>Whether <paramref name="type"/> is the type byte of a plaintext message this code speaks.</summary>
    public static bool IsKnownMessageType(byte type) => type is >= (byte)MessageType.DigestRequest and <= (byte)MessageType.Push;

    /// <summary>Bytes an unsigned LEB128 varint of <paramref name="value"/> takes.</summary>
    public static int VarIntSize(ulong value) =>
        // One byte per started group of 7 bits: (bits * 9 + 73) / 64 is ceil(bits / 7) for 1 to 64 bits, with 0 taking one byte.
        ((BitOperations.Log2(value) * 9) + 73) / 64;

    /// <summary>Bytes a non-negative <paramref name="value"/> takes as a varint.</summary>
    public static int VarIntSize(long value) => VarIntSize((ulong)value);

    /// <summary>Bytes a length-prefixed UTF-8 string takes.</summary>
    public static int StringSize(string s)
    {
        var n = Encoding.UTF8.GetByteCount(s);
        return VarIntSize((ulong)n) + n;
    }

    /// <summary>Bytes one digest entry takes (its watermark, if any, travels in the digest's watermark section).</summary>
    public static int DigestEntrySize(in DigestEntry e, long? firstGeneration) =>
        DigestEntrySize(StringSize(e.NodeId), e.Generation, e.Heartbeat, e.MaxVersion, firstGeneration);

    /// <summary>
    /// Bytes one digest entry takes, given the bytes its id takes (length prefix included) and the generation of the
    /// digest's first entry (null for the first entry itself, whose generation is written whole).
    /// </summary>
    internal static int DigestEntrySize(int nodeIdSize, long generation, long heartbeat, long maxVersion, long? firstGeneration) =>
        nodeIdSize + GenerationSize(generation, firstGeneration) + VarIntSize(heartbeat) + VarIntSize(maxVersion);

    /// <summary>
    /// Bytes a digest entry's generation takes: the first entry's whole, every later one as the zigzag varint of its
    /// difference from the first. Nodes of one cluster start at about the same time, so the difference is small.
    /// </summary>
    internal static int GenerationSize(long generation, long? firstGeneration) =>
        firstGeneration is { } first ? VarIntSize(ZigZag(generation - first)) : VarIntSize(generation);

    /// <summary>Maps a signed difference to an unsigned one small in magnitude: 0, -1, 1, -2, ... to 0, 1, 2, 3, ...</summary>
    internal static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    /// <summary>The inverse of <see cref="ZigZag"/>.</summary>
    internal static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    /// <summary>Whether a digest entry carries a watermark: only while it is above the max version (a copy being rebuilt).</summary>
    public static bool HasWatermark(in DigestEntry e) => e.GcWatermark > e.MaxVersion;

    /// <summary>Bytes the watermark of the entry at <paramref name="index"/> takes in the watermark section; 0 when it has none.</summary>
    public static int DigestWatermarkSize(in DigestEntry e, int index) =>
        HasWatermark(e) ? VarIntSize((ulong)index) + VarIntSize(e.GcWatermark - e.MaxVersion) : 0;

    /// <summary>Bytes a digest takes besides its entries: the flags byte and the entry count.</summary>
    public static int DigestOverhead(int count) => 1 + VarIntSize((ulong)count);

    /// <summary>
    /// Bytes a node delta's header takes (everything but its pairs and pair count). <paramref name="lastVersion"/> is
    /// an upper bound: a truncated delta's real header is never larger.
    /// </summary>
    public static int NodeDeltaHeaderSize(string nodeId, long generation, string? address, long heartbeat, long fromVersion, long lastVersion, bool isReset, long gcWatermark) =>
        StringSize(nodeId) + VarIntSize(generation) + 1 + (address is null ? 0 : StringSize(address)) + VarIntSize(heartbeat)
        + VarIntSize(fromVersion) + VarIntSize(lastVersion - fromVersion) + (isReset ? VarIntSize(gcWatermark) : 0);

    /// <summary>Bytes one pair takes when the previous pair of its node delta had version <paramref name="previousVersion"/>.</summary>
    public static int PairSize(in KeyValueUpdate p, long previousVersion) =>
        StringSize(p.Key) + VarIntSize((ulong)(p.Version - previousVersion) << 1) + (p.IsDeleted ? 0 : StringSize(p.Value));

    /// <summary>Bytes a whole node delta takes.</summary>
    public static int NodeDeltaSize(NodeDelta d)
    {
        var size = NodeDeltaHeaderSize(d.NodeId, d.Generation, d.Address, d.Heartbeat, d.FromVersion, d.LastVersion, d.IsReset, d.GcWatermark)
                   + VarIntSize((ulong)d.Pairs.Count);
        var prev = d.FromVersion;
        foreach (var p in d.Pairs)
        {
            size += PairSize(p, prev);
            prev = p.Version;
        }

        return size;
    }

    /// <summary>Bytes a whole digest takes.</summary>
    public static int DigestSize(Digest d)
    {
        var size = DigestOverhead(d.Entries.Count);
        var watermarks = 0;
        for (var i = 0; i < d.Entries.Count; i++)
        {
            var e = d.Entries[i];
            size += DigestEntrySize(e, i == 0 ? null : d.Entries[0].Generation) + DigestWatermarkSize(e, i);
            if (HasWatermark(e))
                watermarks++;
        }

        return watermarks == 0 ? size : size + VarIntSize((ulong)watermarks);
    }

    /// <summary>Bytes a whole delta takes.</summary>
    public static int DeltaSize(Delta d)
    {
        var size = VarIntSize((ulong)d.Nodes.Count);
        foreach (var n in d.Nodes)
            size += NodeDeltaSize(n);
        return size;
    }

    /// <summary>Bytes the whole encoded message takes, header included.</summary>
    public static int MessageSize(GossipMessage message) => HeaderSize + message switch
    {
        DigestRequest m => DigestSize(m.Digest),
        DigestResponse m => DeltaSize(m.Delta) + DigestSize(m.Digest),
        DeltaMessage m => DeltaSize(m.Delta),
        LeaveMessage m => StringSize(m.NodeId) + VarIntSize(m.Generation),
        PushMessage m => 1 + DeltaSize(m.Delta),
        _ => throw new ArgumentException($"Unknown message type {message.GetType().Name}.", nameof(message)),
    };
}

/// <summary>The type byte of a datagram.</summary>
internal enum MessageType : byte
{
    /// <summary>Step 1: <see cref="Wire.DigestRequest"/>.</summary>
    DigestRequest = 1,

    /// <summary>Step 2: <see cref="Wire.DigestResponse"/>.</summary>
    DigestResponse = 2,

    /// <summary>Step 3: <see cref="Wire.DeltaMessage"/>.</summary>
    Delta = 3,

    /// <summary><see cref="Wire.LeaveMessage"/>.</summary>
    Leave = 4,

    /// <summary><see cref="Wire.PushMessage"/>.</summary>
    Push = 5,
}
