using System.Buffers.Binary;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Tests.Protocol.Wire;

/// <summary>How a fuzz input was made.</summary>
internal enum FuzzStrategy
{
    /// <summary>An unmodified datagram from the corpus.</summary>
    Valid,

    /// <summary>Uniformly random bytes, mostly short, now and then over the size limit.</summary>
    RandomBytes,

    /// <summary>A correct header (sometimes with an unknown type) followed by random, mostly small, bytes.</summary>
    RandomBodyBehindHeader,

    /// <summary>One to four flipped bits.</summary>
    BitFlip,

    /// <summary>One byte overwritten with a boundary value (00, 01, 7F, 80, FF) or a random one.</summary>
    ByteSet,

    /// <summary>One to eight random bytes inserted.</summary>
    Insert,

    /// <summary>One to eight bytes deleted.</summary>
    Delete,

    /// <summary>The datagram cut short.</summary>
    Truncate,

    /// <summary>The varint starting at some byte replaced by a larger (or slightly smaller) one: lengths, counts and versions that lie.</summary>
    VarIntRewrite,

    /// <summary>The head of one datagram joined to the tail of another.</summary>
    Splice,

    /// <summary>Two to five of the above stacked.</summary>
    Havoc,
}

/// <summary>Makes fuzz inputs from a corpus of valid datagrams and a seeded random source.</summary>
internal sealed class DatagramMutator
{
    private static readonly byte[] Boundary = [0x00, 0x01, 0x7F, 0x80, 0xFF];

    private static readonly (FuzzStrategy Strategy, int Weight)[] Weights =
    [
        (FuzzStrategy.Valid, 2),
        (FuzzStrategy.RandomBytes, 8),
        (FuzzStrategy.RandomBodyBehindHeader, 15),
        (FuzzStrategy.BitFlip, 12),
        (FuzzStrategy.ByteSet, 10),
        (FuzzStrategy.Insert, 8),
        (FuzzStrategy.Delete, 8),
        (FuzzStrategy.Truncate, 7),
        (FuzzStrategy.VarIntRewrite, 12),
        (FuzzStrategy.Splice, 8),
        (FuzzStrategy.Havoc, 10),
    ];

    private static readonly int TotalWeight = Weights.Sum(w => w.Weight);

    private readonly Random _random;
    private readonly IReadOnlyList<byte[]> _corpus;
    private readonly uint _clusterHash;
    private readonly int _maxLength;

    public DatagramMutator(Random random, IReadOnlyList<byte[]> corpus, uint clusterHash, int maxLength)
    {
        if (corpus.Count == 0)
            throw new ArgumentException("The corpus must not be empty.", nameof(corpus));
        _random = random;
        _corpus = corpus;
        _clusterHash = clusterHash;
        _maxLength = maxLength;
    }

    public (FuzzStrategy Strategy, byte[] Bytes) Next()
    {
        var pick = _random.Next(TotalWeight);
        foreach (var (strategy, weight) in Weights)
        {
            if (pick < weight)
                return (strategy, Make(strategy));
            pick -= weight;
        }

        throw new InvalidOperationException("Weights do not add up.");
    }

    private byte[] Make(FuzzStrategy strategy) => strategy switch
    {
        FuzzStrategy.Valid => Pick(),
        FuzzStrategy.RandomBytes => RandomBytes(),
        FuzzStrategy.RandomBodyBehindHeader => RandomBodyBehindHeader(),
        FuzzStrategy.Splice => Splice(Pick(), Pick()),
        FuzzStrategy.Havoc => Havoc(Pick()),
        _ => Mutate(strategy, Pick()),
    };

    private byte[] Pick() => _corpus[_random.Next(_corpus.Count)];

    private byte[] Mutate(FuzzStrategy strategy, byte[] input) => strategy switch
    {
        FuzzStrategy.BitFlip => BitFlip(input),
        FuzzStrategy.ByteSet => ByteSet(input),
        FuzzStrategy.Insert => Insert(input),
        FuzzStrategy.Delete => Delete(input),
        FuzzStrategy.Truncate => input[.._random.Next(input.Length)],
        FuzzStrategy.VarIntRewrite => VarIntRewrite(input),
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, null),
    };

    private byte[] RandomBytes()
    {
        var roll = _random.Next(100);
        var length = roll < 30 ? _random.Next(16) : roll < 98 ? _random.Next(200) : _maxLength + 1 + _random.Next(64);
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private byte[] RandomBodyBehindHeader()
    {
        var type = _random.Next(20) == 0 ? (byte)_random.Next(256) : (byte)_random.Next(1, 5);
        var body = new byte[_random.Next(100)];
        // Small bytes make plausible counts, lengths and flags, so random bodies get past the first field more often.
        for (var i = 0; i < body.Length; i++)
            body[i] = _random.Next(2) == 0 ? (byte)_random.Next(8) : (byte)_random.Next(256);
        var bytes = new byte[WireFormat.HeaderSize + body.Length];
        bytes[0] = WireFormat.Magic0;
        bytes[1] = WireFormat.Magic1;
        bytes[2] = WireFormat.ProtocolVersion;
        bytes[3] = type;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), _clusterHash);
        body.CopyTo(bytes, WireFormat.HeaderSize);
        return bytes;
    }

    // Mutations mostly land in the body: the header has few interesting variants and those are reached quickly.
    private int Position(int length) =>
        length <= WireFormat.HeaderSize || _random.Next(10) == 0 ? _random.Next(length) : _random.Next(WireFormat.HeaderSize, length);

    private byte[] BitFlip(byte[] input)
    {
        if (input.Length == 0)
            return input;
        var bytes = (byte[])input.Clone();
        for (var i = _random.Next(1, 5); i > 0; i--)
            bytes[Position(bytes.Length)] ^= (byte)(1 << _random.Next(8));
        return bytes;
    }

    private byte[] ByteSet(byte[] input)
    {
        if (input.Length == 0)
            return input;
        var bytes = (byte[])input.Clone();
        bytes[Position(bytes.Length)] = _random.Next(2) == 0 ? Boundary[_random.Next(Boundary.Length)] : (byte)_random.Next(256);
        return bytes;
    }

    private byte[] Insert(byte[] input)
    {
        var at = Position(input.Length + 1);
        var extra = new byte[_random.Next(1, 9)];
        _random.NextBytes(extra);
        if (_random.Next(3) == 0)
        {
            // Repeat a run of the datagram itself: a duplicated field or pair is a likelier corruption than noise.
            var start = _random.Next(input.Length + 1);
            extra = input[start..Math.Min(input.Length, start + extra.Length)];
        }

        return [.. input[..at], .. extra, .. input[at..]];
    }

    private byte[] Delete(byte[] input)
    {
        if (input.Length == 0)
            return input;
        var at = Position(input.Length);
        var count = Math.Min(_random.Next(1, 9), input.Length - at);
        return [.. input[..at], .. input[(at + count)..]];
    }

    private byte[] VarIntRewrite(byte[] input)
    {
        if (input.Length <= WireFormat.HeaderSize)
            return BitFlip(input);
        var at = _random.Next(WireFormat.HeaderSize, input.Length);
        var end = at;
        ulong value = 0;
        for (var shift = 0; end < input.Length && shift < 64; shift += 7)
        {
            var b = input[end++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                break;
        }

        ulong replacement = _random.Next(8) switch
        {
            0 => value + 1,
            1 => value + (ulong)_random.Next(2, 300),
            2 => value == 0 ? 0 : value - 1,
            3 => (value << 1) | 1,
            4 => value << 7,
            5 => (ulong)_random.NextInt64(),
            6 => (ulong)long.MaxValue + (ulong)_random.Next(2),
            _ => 1UL << _random.Next(64),
        };
        var encoded = new List<byte>(10);
        do
        {
            var group = (byte)(replacement & 0x7F);
            replacement >>= 7;
            encoded.Add(replacement == 0 ? group : (byte)(group | 0x80));
        }
        while (replacement != 0);

        return [.. input[..at], .. encoded, .. input[end..]];
    }

    private byte[] Splice(byte[] head, byte[] tail)
    {
        var cutHead = _random.Next(Math.Min(head.Length, WireFormat.HeaderSize), head.Length + 1);
        var cutTail = _random.Next(Math.Min(tail.Length, WireFormat.HeaderSize), tail.Length + 1);
        return [.. head[..cutHead], .. tail[cutTail..]];
    }

    private byte[] Havoc(byte[] input)
    {
        var bytes = input;
        for (var i = _random.Next(2, 6); i > 0; i--)
        {
            bytes = _random.Next(7) switch
            {
                0 => BitFlip(bytes),
                1 => ByteSet(bytes),
                2 => Insert(bytes),
                3 => Delete(bytes),
                4 => VarIntRewrite(bytes),
                5 => Splice(bytes, Pick()),
                _ => bytes.Length == 0 ? bytes : bytes[.._random.Next(bytes.Length)],
            };
        }

        return bytes;
    }
}
