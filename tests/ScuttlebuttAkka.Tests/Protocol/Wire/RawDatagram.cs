using System.Buffers.Binary;
using System.Text;
using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Tests.Protocol.Wire;

/// <summary>
/// Writes datagram bytes field by field, independently of <see cref="MessageCodec"/>, so tests can build inputs the
/// encoder would never produce (bad varints, bad UTF-8, lying lengths) and check the layout against a second writer.
/// </summary>
internal sealed class RawDatagram
{
    private readonly List<byte> _bytes = new();

    /// <summary>A datagram that starts with a correct header for <paramref name="type"/> and <paramref name="clusterHash"/>.</summary>
    public static RawDatagram Header(MessageType type, uint clusterHash) =>
        new RawDatagram().Bytes((byte)'S', (byte)'B', 1, (byte)type).UInt32(clusterHash);

    public int Length => _bytes.Count;

    public RawDatagram Bytes(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public RawDatagram UInt32(uint value)
    {
        Span<byte> le = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(le, value);
        _bytes.AddRange(le.ToArray());
        return this;
    }

    /// <summary>Unsigned LEB128: seven bits at a time, low group first, high bit set on every byte but the last.</summary>
    public RawDatagram VarInt(ulong value)
    {
        do
        {
            var group = (byte)(value & 0x7F);
            value >>= 7;
            _bytes.Add(value == 0 ? group : (byte)(group | 0x80));
        }
        while (value != 0);

        return this;
    }

    /// <summary>A length-prefixed string from raw bytes (which need not be UTF-8).</summary>
    public RawDatagram Str(byte[] utf8) => VarInt((ulong)utf8.Length).Bytes(utf8);

    /// <summary>A length-prefixed UTF-8 string.</summary>
    public RawDatagram Str(string s) => Str(Encoding.UTF8.GetBytes(s));

    /// <summary>
    /// One node delta. The defaults make a valid one: node "n", generation 1, no address, heartbeat 5, versions
    /// (0, 2], a value at version 1 and a tombstone at version 2 (when <paramref name="pairs"/> is null).
    /// </summary>
    public RawDatagram NodeDelta(
        string id = "n", ulong generation = 1, byte flags = 0, string? address = null, ulong heartbeat = 5,
        ulong from = 0, ulong span = 2, ulong? watermark = null, RawPair[]? pairs = null)
    {
        Str(id).VarInt(generation).Bytes(flags);
        if (address is not null)
            Str(address);
        VarInt(heartbeat).VarInt(from).VarInt(span);
        if (watermark is { } w)
            VarInt(w);
        pairs ??= [new RawPair("k", 1 << 1, "v"), new RawPair("t", (1 << 1) | 1, null)];
        VarInt((ulong)pairs.Length);
        foreach (var p in pairs)
        {
            Str(p.Key).VarInt(p.TaggedGap);
            if (p.Value is not null)
                Str(p.Value);
        }

        return this;
    }

    public byte[] ToArray() => _bytes.ToArray();
}

/// <summary>One pair as raw fields: the tagged gap is (version gap &lt;&lt; 1) | tombstone bit; a null value is omitted.</summary>
internal readonly record struct RawPair(string Key, ulong TaggedGap, string? Value);
