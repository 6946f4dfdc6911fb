using System.Buffers.Binary;

namespace ScuttlebuttAkka.Simulation;

/// <summary>
/// A running 64-bit FNV-1a hash of everything a simulation did, eight bytes at a time. Stable across processes and
/// machines (unlike <see cref="HashCode"/>), so equal hashes mean equal traces.
/// </summary>
internal struct TraceHash
{
    private const ulong Offset = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    private ulong _value;
    private bool _started;

    public readonly ulong Value => _started ? _value : Offset;

    public void Add(long value)
    {
        if (!_started)
        {
            _value = Offset;
            _started = true;
        }

        _value = (_value ^ unchecked((ulong)value)) * Prime;
    }

    public void Add(ReadOnlySpan<byte> bytes)
    {
        Add(bytes.Length);
        var i = 0;
        for (; i + 8 <= bytes.Length; i += 8)
            Add(BinaryPrimitives.ReadInt64LittleEndian(bytes[i..]));
        for (; i < bytes.Length; i++)
            Add(bytes[i]);
    }

    public void Add(string text)
    {
        Add(text.Length);
        foreach (var c in text)
            Add(c);
    }
}
