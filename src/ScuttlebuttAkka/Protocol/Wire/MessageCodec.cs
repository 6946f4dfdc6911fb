using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;
using ScuttlebuttAkka.Protocol.Reconciliation;

namespace ScuttlebuttAkka.Protocol.Wire;

/// <summary>
/// Encodes and decodes gossip messages in the binary layout of docs/codec.md. Decoding never throws on bad bytes:
/// it returns the reason the datagram was rejected, and checks every length before it trusts it.
/// </summary>
internal static class MessageCodec
{
    /// <summary>Encodes <paramref name="message"/> for the cluster whose hash is <paramref name="clusterHash"/>.</summary>
    public static byte[] Encode(GossipMessage message, uint clusterHash)
    {
        ArgumentNullException.ThrowIfNull(message);
        var buffer = new byte[WireFormat.MessageSize(message)];
        var w = new Writer(buffer);
        w.Byte(WireFormat.Magic0);
        w.Byte(WireFormat.Magic1);
        w.Byte(WireFormat.ProtocolVersion);
        switch (message)
        {
            case DigestRequest m:
                w.Byte((byte)MessageType.DigestRequest);
                w.UInt32(clusterHash);
                WriteDigest(ref w, m.Digest);
                break;
            case DigestResponse m:
                w.Byte((byte)MessageType.DigestResponse);
                w.UInt32(clusterHash);
                WriteDelta(ref w, m.Delta);
                WriteDigest(ref w, m.Digest);
                break;
            case DeltaMessage m:
                w.Byte((byte)MessageType.Delta);
                w.UInt32(clusterHash);
                WriteDelta(ref w, m.Delta);
                break;
            case PushMessage m:
                if (m.HopsLeft is < 0 or > PushMessage.MaxHops)
                    throw new ArgumentOutOfRangeException(nameof(message), m.HopsLeft, $"A push carries 0 to {PushMessage.MaxHops} hops.");
                w.Byte((byte)MessageType.Push);
                w.UInt32(clusterHash);
                w.Byte((byte)m.HopsLeft);
                WriteDelta(ref w, m.Delta);
                break;
            case LeaveMessage m:
                w.Byte((byte)MessageType.Leave);
                w.UInt32(clusterHash);
                w.String(m.NodeId);
                w.VarInt(m.Generation);
                break;
        }

        if (w.Position != buffer.Length)
            throw new InvalidOperationException($"Encoder wrote {w.Position} bytes but measured {buffer.Length}: a bug in WireFormat sizes.");
        return buffer;
    }

    /// <summary>
    /// Decodes one datagram. Returns <see cref="DropReason.None"/> and the message, or the reason it was dropped
    /// (and a null message). Never throws for any input.
    /// </summary>
    public static DropReason TryDecode(ReadOnlySpan<byte> datagram, uint clusterHash, ProtocolLimits limits, out GossipMessage? message)
    {
        message = null;
        if (datagram.Length < WireFormat.HeaderSize)
            return DropReason.TooShort;
        if (datagram[0] != WireFormat.Magic0 || datagram[1] != WireFormat.Magic1)
            return DropReason.BadMagic;
        if (datagram[2] != WireFormat.ProtocolVersion)
            return DropReason.UnsupportedVersion;
        var type = datagram[3];
        if (!WireFormat.IsKnownMessageType(type))
            return DropReason.UnknownMessageType;
        if (BinaryPrimitives.ReadUInt32LittleEndian(datagram[4..]) != clusterHash)
            return DropReason.WrongCluster;

        var r = new Reader(datagram[WireFormat.HeaderSize..], limits);
        GossipMessage? decoded = null;
        switch ((MessageType)type)
        {
            case MessageType.DigestRequest:
                if (ReadDigest(ref r) is { } digest)
                    decoded = new DigestRequest(digest);
                break;
            case MessageType.DigestResponse:
                if (ReadDelta(ref r) is { } delta && ReadDigest(ref r) is { } d2)
                    decoded = new DigestResponse(delta, d2);
                break;
            case MessageType.Delta:
                if (ReadDelta(ref r) is { } delta3)
                    decoded = new DeltaMessage(delta3);
                break;
            case MessageType.Leave:
                if (r.NodeId() is { } id && r.VarInt(out var gen) && r.Require(gen > 0))
                    decoded = new LeaveMessage(id, gen);
                break;
            case MessageType.Push:
                if (r.Byte(out var hops) && r.Require(hops <= PushMessage.MaxHops) && ReadDelta(ref r) is { } pushed)
                    decoded = new PushMessage(hops, pushed);
                break;
        }

        if (decoded is null)
            return r.Error;
        if (!r.AtEnd)
            return DropReason.TrailingBytes;
        message = decoded;
        return DropReason.None;
    }

    private static void WriteDigest(ref Writer w, Digest d)
    {
        var watermarks = 0;
        foreach (var e in d.Entries)
        {
            if (WireFormat.HasWatermark(e))
                watermarks++;
        }

        w.Byte((byte)((d.IsComplete ? WireFormat.DigestFlagComplete : 0) | (watermarks > 0 ? WireFormat.DigestFlagWatermarks : 0)));
        w.VarInt((ulong)d.Entries.Count);
        for (var i = 0; i < d.Entries.Count; i++)
        {
            var e = d.Entries[i];
            w.String(e.NodeId);
            w.VarInt(i == 0 ? (ulong)e.Generation : WireFormat.ZigZag(e.Generation - d.Entries[0].Generation));
            w.VarInt(e.Heartbeat);
            w.VarInt(e.MaxVersion);
        }

        if (watermarks == 0)
            return;
        // The watermark section: how many, then each as (entry index, excess over that entry's max version).
        w.VarInt((ulong)watermarks);
        for (var i = 0; i < d.Entries.Count; i++)
        {
            var e = d.Entries[i];
            if (!WireFormat.HasWatermark(e))
                continue;
            w.VarInt((ulong)i);
            w.VarInt(e.GcWatermark - e.MaxVersion);
        }
    }

    private static void WriteDelta(ref Writer w, Delta d)
    {
        w.VarInt((ulong)d.Nodes.Count);
        foreach (var n in d.Nodes)
        {
            w.String(n.NodeId);
            w.VarInt(n.Generation);
            var flags = (byte)((n.Address is null ? 0 : WireFormat.NodeFlagAddress) | (n.IsReset ? WireFormat.NodeFlagReset : 0));
            w.Byte(flags);
            if (n.Address is not null)
                w.String(n.Address);
            w.VarInt(n.Heartbeat);
            w.VarInt(n.FromVersion);
            w.VarInt(n.LastVersion - n.FromVersion);
            if (n.IsReset)
                w.VarInt(n.GcWatermark);
            w.VarInt((ulong)n.Pairs.Count);
            var prev = n.FromVersion;
            foreach (var p in n.Pairs)
            {
                w.String(p.Key);
                w.VarInt(((ulong)(p.Version - prev) << 1) | (p.IsDeleted ? 1UL : 0UL));
                if (!p.IsDeleted)
                    w.String(p.Value);
                prev = p.Version;
            }
        }
    }

    private static Digest? ReadDigest(ref Reader r)
    {
        if (!r.Byte(out var flags) || !r.Require((flags & ~WireFormat.KnownDigestFlags) == 0))
            return null;
        // Each entry takes at least 5 bytes (id length, id byte, generation, heartbeat, version), so a count larger than what is left is a lie.
        if (!r.Count(minElementSize: 5, max: r.Limits.MaxNodes, out var count))
            return null;
        var entries = new DigestEntry[count];
        long first = 0;
        for (var i = 0; i < count; i++)
        {
            if (r.NodeId() is not { } id || !r.VarIntUnsigned(out var rawGen) || !r.VarInt(out var hb) || !r.VarInt(out var ver))
                return null;
            // The first generation is whole; later ones are zigzag differences from it, and must land in [0, long.MaxValue].
            long gen;
            if (i == 0)
            {
                if (rawGen > long.MaxValue)
                    return r.FailWith(DropReason.BadVarInt);
                gen = first = (long)rawGen;
            }
            else
            {
                var difference = WireFormat.UnZigZag(rawGen);
                if (!r.Require(difference >= 0 ? first <= long.MaxValue - difference : first + difference >= 0))
                    return null;
                gen = first + difference;
            }

            entries[i] = new DigestEntry(id, gen, hb, ver);
        }

        if ((flags & WireFormat.DigestFlagWatermarks) != 0 && !ReadDigestWatermarks(ref r, entries))
            return null;
        return new Digest(entries, (flags & WireFormat.DigestFlagComplete) != 0);
    }

    /// <summary>Reads the watermark section: at least one (index, excess) pair, indexes strictly ascending and in range.</summary>
    private static bool ReadDigestWatermarks(ref Reader r, DigestEntry[] entries)
    {
        // Each pair takes at least 2 bytes, and there is at most one per entry.
        if (!r.Count(minElementSize: 2, max: entries.Length, out var count) || !r.Require(count > 0))
            return false;
        var previous = -1L;
        for (var i = 0; i < count; i++)
        {
            if (!r.VarInt(out var index) || !r.Require(index > previous && index < entries.Length) || !r.VarInt(out var excess))
                return false;
            var e = entries[index];
            if (!r.Require(excess > 0 && excess <= long.MaxValue - e.MaxVersion))
                return false;
            entries[index] = e with { GcWatermark = e.MaxVersion + excess };
            previous = index;
        }

        return true;
    }

    private static Delta? ReadDelta(ref Reader r)
    {
        // A node delta takes at least 8 bytes (id, generation, flags, heartbeat, from, span, pair count).
        if (!r.Count(minElementSize: 8, max: r.Limits.MaxNodes, out var count))
            return null;
        var nodes = new NodeDelta[count];
        for (var i = 0; i < count; i++)
        {
            if (r.NodeId() is not { } id || !r.VarInt(out var gen) || !r.Require(gen > 0) || !r.Byte(out var flags)
                || !r.Require((flags & ~WireFormat.KnownNodeFlags) == 0))
                return null;
            string? address = null;
            if ((flags & WireFormat.NodeFlagAddress) != 0)
            {
                address = r.String(ProtocolLimits.MaxAddressBytes);
                if (address is null || !r.Require(GossipAddress.TryParse(address, out _, out _)))
                    return null;
            }

            if (!r.VarInt(out var hb) || !r.VarInt(out var from) || !r.VarInt(out var span) || !r.Require(span <= long.MaxValue - from))
                return null;
            var isReset = (flags & WireFormat.NodeFlagReset) != 0;
            long watermark = 0;
            if (isReset && (!r.VarInt(out watermark) || !r.Require(from == 0)))
                return null;
            // Each pair takes at least 3 bytes (key length, key byte, version).
            if (!r.Count(minElementSize: 3, max: r.Limits.MaxKeysPerNode, out var pairCount))
                return null;
            var last = from + span;
            var pairs = new KeyValueUpdate[pairCount];
            var prev = from;
            for (var j = 0; j < pairCount; j++)
            {
                var key = r.String(r.Limits.MaxKeyBytes);
                if (key is null || !r.Require(key.Length > 0) || !r.VarIntUnsigned(out var tagged))
                    return null;
                var gap = tagged >> 1;
                var deleted = (tagged & 1) != 0;
                if (!r.Require(gap >= 1 && gap <= (ulong)(last - prev)))
                    return null;
                var version = prev + (long)gap;
                var value = "";
                if (!deleted && (value = r.String(r.Limits.MaxValueBytes)!) is null)
                    return null;
                pairs[j] = new KeyValueUpdate(key, value, version, deleted);
                prev = version;
            }

            nodes[i] = new NodeDelta(id, gen, address, hb, from, last, isReset, watermark, pairs);
        }

        return new Delta(nodes);
    }

    private ref struct Writer
    {
        private readonly Span<byte> _buffer;

        public Writer(Span<byte> buffer)
        {
            _buffer = buffer;
            Position = 0;
        }

        public int Position { get; private set; }

        public void Byte(byte b) => _buffer[Position++] = b;

        public void UInt32(uint v)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(_buffer[Position..], v);
            Position += 4;
        }

        public void VarInt(long v) => VarInt((ulong)v);

        public void VarInt(ulong v)
        {
            while (v >= 0x80)
            {
                _buffer[Position++] = (byte)(v | 0x80);
                v >>= 7;
            }

            _buffer[Position++] = (byte)v;
        }

        public void String(string s)
        {
            var n = Encoding.UTF8.GetByteCount(s);
            VarInt((ulong)n);
            Encoding.UTF8.GetBytes(s, _buffer.Slice(Position, n));
            Position += n;
        }
    }

    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _data;
        private int _pos;

        public Reader(ReadOnlySpan<byte> data, ProtocolLimits limits)
        {
            _data = data;
            _pos = 0;
            Limits = limits;
            Error = DropReason.None;
        }

        public ProtocolLimits Limits { get; }

        public DropReason Error { get; private set; }

        public bool AtEnd => _pos == _data.Length;

        private int Remaining => _data.Length - _pos;

        public bool Require(bool condition)
        {
            if (!condition && Error == DropReason.None)
                Error = DropReason.InvalidField;
            return condition;
        }

        public Digest? FailWith(DropReason reason)
        {
            Fail(reason);
            return null;
        }

        private bool Fail(DropReason reason)
        {
            if (Error == DropReason.None)
                Error = reason;
            return false;
        }

        public bool Byte(out byte b)
        {
            if (Remaining < 1)
            {
                b = 0;
                return Fail(DropReason.LengthOutOfRange);
            }

            b = _data[_pos++];
            return true;
        }

        public bool VarIntUnsigned(out ulong value)
        {
            value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (Remaining < 1)
                    return Fail(DropReason.LengthOutOfRange);
                var b = _data[_pos++];
                if (shift == 63 && b > 1)
                    return Fail(DropReason.BadVarInt);
                // Only the minimal encoding is accepted, so every message has exactly one byte form.
                if (b == 0 && shift > 0)
                    return Fail(DropReason.BadVarInt);
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                    return true;
            }

            return Fail(DropReason.BadVarInt);
        }

        public bool VarInt(out long value)
        {
            value = 0;
            if (!VarIntUnsigned(out var u))
                return false;
            if (u > long.MaxValue)
                return Fail(DropReason.BadVarInt);
            value = (long)u;
            return true;
        }

        public bool Count(int minElementSize, int max, out int count)
        {
            count = 0;
            if (!VarIntUnsigned(out var u))
                return false;
            if (u > (ulong)max || u > (ulong)(Remaining / minElementSize))
                return Fail(DropReason.LengthOutOfRange);
            count = (int)u;
            return true;
        }

        public string? String(int maxBytes)
        {
            if (!VarIntUnsigned(out var len))
                return null;
            if (len > (ulong)maxBytes || len > (ulong)Remaining)
            {
                Fail(DropReason.LengthOutOfRange);
                return null;
            }

            var bytes = _data.Slice(_pos, (int)len);
            if (!Utf8.IsValid(bytes))
            {
                Fail(DropReason.BadUtf8);
                return null;
            }

            _pos += (int)len;
            return Encoding.UTF8.GetString(bytes);
        }

        public string? NodeId()
        {
            var id = String(ProtocolLimits.MaxNodeIdBytesHardLimit);
            if (id is not null && id.Length == 0)
            {
                Require(false);
                return null;
            }

            return id;
        }
    }
}
