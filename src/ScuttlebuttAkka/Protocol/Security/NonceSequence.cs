using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ScuttlebuttAkka.Protocol.Security;

/// <summary>
/// The AES-GCM nonces of one codec: a random 4-byte salt followed by a 64-bit counter that starts at a random value
/// and counts up. One codec never repeats a nonce before 2^64 datagrams; two codecs sharing a key collide only if
/// their random 96-bit starting points land within each other's runs (the bound is in docs/security.md).
/// </summary>
internal sealed class NonceSequence
{
    private readonly uint _salt;
    private long _counter;

    /// <summary>A sequence that starts at a point drawn from the system's secure random source.</summary>
    public NonceSequence()
    {
        Span<byte> start = stackalloc byte[EncryptedEnvelope.NonceSize];
        RandomNumberGenerator.Fill(start);
        _salt = BinaryPrimitives.ReadUInt32BigEndian(start);
        _counter = BinaryPrimitives.ReadInt64BigEndian(start[4..]);
    }

    /// <summary>A sequence whose first nonce is salt || (counter + 1); for tests of the wrap-around.</summary>
    internal NonceSequence(uint salt, ulong counter)
    {
        _salt = salt;
        _counter = unchecked((long)counter);
    }

    /// <summary>Writes the next nonce into the first 12 bytes of <paramref name="nonce"/>; safe to call from many threads.</summary>
    public void Next(Span<byte> nonce)
    {
        // Interlocked.Increment wraps from long.MaxValue to long.MinValue, which is exactly counting modulo 2^64.
        var n = unchecked((ulong)Interlocked.Increment(ref _counter));
        BinaryPrimitives.WriteUInt32BigEndian(nonce, _salt);
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], n);
    }
}
