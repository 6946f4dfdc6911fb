using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Protocol.Security;

/// <summary>
/// Byte layout of an encrypted datagram (docs/security.md): an 8-byte cleartext header (magic, protocol version,
/// type <see cref="MessageTypeByte"/>, key id), a 12-byte nonce, the AES-GCM ciphertext of a whole plaintext message
/// (its own header included), and a 16-byte tag. The header and the cluster name are authenticated as associated data.
/// </summary>
internal static class EncryptedEnvelope
{
    /// <summary>The type byte that marks an encrypted datagram; plaintext types are all below 0x80.</summary>
    public const byte MessageTypeByte = 0x80;

    /// <summary>Bytes of the cleartext header: magic (2), protocol version (1), type (1), key id (4).</summary>
    public const int HeaderSize = 4 + KeyRing.KeyIdSize;

    /// <summary>Bytes of the AES-GCM nonce that follows the header.</summary>
    public const int NonceSize = 12;

    /// <summary>Bytes of the AES-GCM authentication tag that ends the datagram.</summary>
    public const int TagSize = 16;

    /// <summary>Bytes an encrypted datagram takes beyond the plaintext message it carries.</summary>
    public const int Overhead = HeaderSize + NonceSize + TagSize;

    /// <summary>Offset of the key id in the header.</summary>
    public const int KeyIdOffset = 4;

    /// <summary>Whether <paramref name="datagram"/> starts like an encrypted datagram of this protocol version.</summary>
    public static bool IsEncrypted(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= 4 && datagram[0] == WireFormat.Magic0 && datagram[1] == WireFormat.Magic1
        && datagram[2] == WireFormat.ProtocolVersion && datagram[3] == MessageTypeByte;
}
