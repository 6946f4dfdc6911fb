using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Protocol.Security;

/// <summary>
/// Seals plaintext messages into encrypted datagrams and opens them again, for one key ring and one cluster name
/// (layout in <see cref="EncryptedEnvelope"/>). Safe to use from many threads.
/// </summary>
internal sealed class EnvelopeCipher
{
    private readonly KeyCipher _sealer;
    private readonly Dictionary<uint, KeyCipher[]> _openers;
    private readonly NonceSequence _nonces = new();

    /// <summary>Prepares one AES-GCM instance per key for receiving, and one more for the primary key for sending.</summary>
    public EnvelopeCipher(KeyRing keys, string clusterName)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(clusterName);
        if (!AesGcm.IsSupported)
            throw new PlatformNotSupportedException("AES-GCM is not available on this platform, so gossip encryption cannot be used.");
        var cluster = Encoding.UTF8.GetBytes(clusterName);
        // Sending gets its own instance so that encoding never waits for a decode of the same key, or the other way round.
        _sealer = new KeyCipher(keys.AllKeys[0], cluster);
        // Two keys of one ring share a 4-byte id with odds of about 2^-32 per pair; both are then tried.
        _openers = keys.AllKeys.Select(k => new KeyCipher(k, cluster)).GroupBy(c => c.KeyId).ToDictionary(g => g.Key, g => g.ToArray());
    }

    /// <summary>Seals <paramref name="message"/> (an encoded plaintext message) with the primary key and a fresh nonce.</summary>
    public byte[] Seal(ReadOnlySpan<byte> message)
    {
        var datagram = new byte[EncryptedEnvelope.Overhead + message.Length];
        var span = datagram.AsSpan();
        _sealer.Header.CopyTo(span);
        var nonce = span.Slice(EncryptedEnvelope.HeaderSize, EncryptedEnvelope.NonceSize);
        _nonces.Next(nonce);
        var ciphertext = span.Slice(EncryptedEnvelope.HeaderSize + EncryptedEnvelope.NonceSize, message.Length);
        var tag = span[^EncryptedEnvelope.TagSize..];
        _sealer.Encrypt(nonce, message, ciphertext, tag);
        return datagram;
    }

    /// <summary>
    /// Authenticates and decrypts an encrypted datagram of at least <see cref="EncryptedEnvelope.Overhead"/> bytes into
    /// <paramref name="plaintext"/>, which must be exactly <see cref="EncryptedEnvelope.Overhead"/> bytes shorter.
    /// Returns <see cref="DropReason.None"/>, <see cref="DropReason.UnknownKey"/> or <see cref="DropReason.DecryptionFailed"/>; never throws.
    /// </summary>
    public DropReason TryOpen(ReadOnlySpan<byte> datagram, Span<byte> plaintext)
    {
        var keyId = BinaryPrimitives.ReadUInt32BigEndian(datagram[EncryptedEnvelope.KeyIdOffset..]);
        if (!_openers.TryGetValue(keyId, out var candidates))
            return DropReason.UnknownKey;
        var header = datagram[..EncryptedEnvelope.HeaderSize];
        var nonce = datagram.Slice(EncryptedEnvelope.HeaderSize, EncryptedEnvelope.NonceSize);
        var ciphertext = datagram[(EncryptedEnvelope.HeaderSize + EncryptedEnvelope.NonceSize)..^EncryptedEnvelope.TagSize];
        var tag = datagram[^EncryptedEnvelope.TagSize..];
        foreach (var candidate in candidates)
        {
            if (candidate.TryDecrypt(header, nonce, ciphertext, tag, plaintext))
                return DropReason.None;
        }

        return DropReason.DecryptionFailed;
    }

    /// <summary>One key: its AES-GCM instance (not thread-safe, hence the lock) and its associated data.</summary>
    private sealed class KeyCipher
    {
        private readonly AesGcm _aes;
        private readonly object _gate = new();

        // The cleartext header this key produces followed by the cluster name's UTF-8 bytes: authenticating the
        // name means a datagram sealed for another cluster fails even when both clusters share a key.
        private readonly byte[] _associatedData;

        public KeyCipher(byte[] key, byte[] clusterName)
        {
            _aes = new AesGcm(key, EncryptedEnvelope.TagSize);
            KeyId = KeyRing.KeyIdOf(key);
            _associatedData = new byte[EncryptedEnvelope.HeaderSize + clusterName.Length];
            _associatedData[0] = WireFormat.Magic0;
            _associatedData[1] = WireFormat.Magic1;
            _associatedData[2] = WireFormat.ProtocolVersion;
            _associatedData[3] = EncryptedEnvelope.MessageTypeByte;
            BinaryPrimitives.WriteUInt32BigEndian(_associatedData.AsSpan(EncryptedEnvelope.KeyIdOffset), KeyId);
            clusterName.CopyTo(_associatedData.AsSpan(EncryptedEnvelope.HeaderSize));
        }

        public uint KeyId { get; }

        public ReadOnlySpan<byte> Header => _associatedData.AsSpan(0, EncryptedEnvelope.HeaderSize);

        public void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag)
        {
            lock (_gate)
                _aes.Encrypt(nonce, plaintext, ciphertext, tag, _associatedData);
        }

        public bool TryDecrypt(ReadOnlySpan<byte> header, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
        {
            // The associated data is this key's own header, so it must be the datagram's header byte for byte.
            if (!header.SequenceEqual(Header))
                return false;
            try
            {
                lock (_gate)
                    _aes.Decrypt(nonce, ciphertext, tag, plaintext, _associatedData);
                return true;
            }
            catch (CryptographicException)
            {
                // AesGcm has no non-throwing decrypt; a failed tag check is the expected outcome for forged input.
                return false;
            }
        }
    }
}
