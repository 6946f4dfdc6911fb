using System.Buffers.Binary;
using System.Collections.ObjectModel;
using System.Security.Cryptography;

namespace ScuttlebuttAkka.Protocol;

/// <summary>
/// The AES keys of a cluster: one primary key that encrypts everything this node sends, plus any number of further
/// keys it still accepts on receive, so keys can be rotated without downtime (docs/security.md). Immutable: rotating
/// keys means building a new ring.
/// </summary>
public sealed class KeyRing
{
    /// <summary>Bytes of a key id on the wire.</summary>
    public const int KeyIdSize = 4;

    /// <summary>The key sizes AES accepts, in bytes (AES-128, AES-192, AES-256).</summary>
    public static readonly IReadOnlyList<int> ValidKeySizes = Array.AsReadOnly(new[] { 16, 24, 32 });

    // Primary first, no two equal; the ring never hands these arrays out, so nobody can change a key after validation.
    private readonly byte[][] _keys;
    private readonly uint[] _ids;

    private KeyRing(byte[][] keys)
    {
        _keys = keys;
        _ids = keys.Select(k => KeyIdOf(k)).ToArray();
        Accepted = new ReadOnlyCollection<ReadOnlyMemory<byte>>(keys.Skip(1).Select(k => new ReadOnlyMemory<byte>(k)).ToArray());
        AcceptedKeyIds = new ReadOnlyCollection<uint>(_ids.Skip(1).ToArray());
    }

    /// <summary>The key that encrypts what this node sends; it is accepted on receive too.</summary>
    public ReadOnlyMemory<byte> Primary => _keys[0];

    /// <summary>The key id of <see cref="Primary"/>, written in every datagram this node encrypts.</summary>
    public uint PrimaryKeyId => _ids[0];

    /// <summary>The further keys accepted on receive besides <see cref="Primary"/> (never containing it), in the order given.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Accepted { get; }

    /// <summary>The key ids of <see cref="Accepted"/>, in the same order.</summary>
    public IReadOnlyList<uint> AcceptedKeyIds { get; }

    /// <summary>How many distinct keys the ring holds, the primary included.</summary>
    public int Count => _keys.Length;

    /// <summary>Every key, primary first; internal so the ring stays immutable to applications.</summary>
    internal IReadOnlyList<byte[]> AllKeys => _keys;

    /// <summary>
    /// A ring that sends with <paramref name="primary"/> and also accepts <paramref name="accepted"/>. Each key must be
    /// 16, 24 or 32 random bytes; keys are copied, and a key given twice (or equal to the primary) is kept once.
    /// </summary>
    public static KeyRing Create(byte[] primary, params byte[][] accepted)
    {
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(accepted);
        var keys = new List<byte[]> { Validated(primary, "The primary key", nameof(primary)) };
        for (var i = 0; i < accepted.Length; i++)
        {
            var key = Validated(accepted[i], $"Accepted key #{i + 1}", nameof(accepted));
            if (!keys.Exists(k => k.AsSpan().SequenceEqual(key)))
                keys.Add(key);
        }

        return new KeyRing(keys.ToArray());
    }

    /// <summary>Like <see cref="Create"/>, with every key given in base64 (the form used in configuration files).</summary>
    public static KeyRing FromBase64(string primary, params string[] accepted)
    {
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(accepted);
        var decoded = new byte[accepted.Length][];
        for (var i = 0; i < accepted.Length; i++)
            decoded[i] = DecodeBase64(accepted[i], $"Accepted key #{i + 1}", nameof(accepted));
        return Create(DecodeBase64(primary, "The primary key", nameof(primary)), decoded);
    }

    /// <summary>A new random key of <paramref name="sizeInBytes"/> bytes (32, AES-256, unless told otherwise) from the system's secure random source.</summary>
    public static byte[] GenerateKey(int sizeInBytes = 32)
    {
        if (!ValidKeySizes.Contains(sizeInBytes))
            throw new ArgumentOutOfRangeException(nameof(sizeInBytes), sizeInBytes, "An AES key must be 16, 24 or 32 bytes.");
        return RandomNumberGenerator.GetBytes(sizeInBytes);
    }

    /// <summary>
    /// The id of <paramref name="key"/>: the first 4 bytes of its SHA-256, big-endian (so its hex form is the first 8
    /// hex digits of <c>sha256sum</c>). It lets a receiver pick the right key without trying them all; it is not secret.
    /// </summary>
    public static uint KeyIdOf(ReadOnlySpan<byte> key)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(key, hash);
        return BinaryPrimitives.ReadUInt32BigEndian(hash);
    }

    /// <summary>Whether <paramref name="key"/> is in the ring, as primary or accepted.</summary>
    public bool Contains(ReadOnlySpan<byte> key)
    {
        foreach (var k in _keys)
        {
            if (k.Length == key.Length && CryptographicOperations.FixedTimeEquals(k, key))
                return true;
        }

        return false;
    }

    /// <summary>The key ids only, never key material, so a ring can be logged safely.</summary>
    public override string ToString() =>
        $"KeyRing(primary {PrimaryKeyId:x8}" + (_ids.Length > 1 ? ", accepted " + string.Join(" ", AcceptedKeyIds.Select(id => id.ToString("x8", null))) : "") + ")";

    private static byte[] Validated(byte[]? key, string which, string paramName)
    {
        if (key is null)
            throw new ArgumentNullException(paramName, $"{which} is null.");
        // The messages never quote key bytes: exceptions end up in logs.
        if (!ValidKeySizes.Contains(key.Length))
            throw new ArgumentException($"{which} is {key.Length} bytes; an AES-GCM key must be 16, 24 or 32 bytes (AES-128, AES-192 or AES-256).", paramName);
        if (!key.AsSpan().ContainsAnyExcept((byte)0))
            throw new ArgumentException($"{which} is all zeros, which is never a real secret; generate keys with KeyRing.GenerateKey().", paramName);
        return (byte[])key.Clone();
    }

    private static byte[] DecodeBase64(string? text, string which, string paramName)
    {
        if (text is null)
            throw new ArgumentNullException(paramName, $"{which} is null.");
        if (string.IsNullOrWhiteSpace(text))
            throw new ArgumentException($"{which} is empty; expected a base64 AES key.", paramName);
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new ArgumentException($"{which} is not valid base64; expected the base64 form of a 16, 24 or 32-byte AES key.", paramName);
        }
    }
}
