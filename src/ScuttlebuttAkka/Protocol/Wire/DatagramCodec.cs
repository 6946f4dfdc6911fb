using System.Buffers;
using System.Security.Cryptography;
using ScuttlebuttAkka.Protocol.Security;

namespace ScuttlebuttAkka.Protocol.Wire;

/// <summary>
/// Turns messages into datagrams and back for one cluster: the message codec plus the datagram size limit
/// (and, when configured, the encryption envelope of docs/security.md). The one place the runtime encodes and decodes.
/// Thread-safe.
/// </summary>
internal sealed class DatagramCodec
{
    private readonly uint _clusterHash;
    private readonly EnvelopeCipher? _cipher;
    private readonly bool _sendsEncrypted;
    private readonly bool _acceptsPlaintext;

    /// <summary>
    /// Creates the codec of cluster <paramref name="clusterName"/>, whose datagrams are at most <paramref name="maxDatagramBytes"/>
    /// long, encrypted as <paramref name="encryption"/> says (plaintext only when null).
    /// </summary>
    public DatagramCodec(string clusterName, int maxDatagramBytes, ProtocolLimits? limits = null, EncryptionSettings? encryption = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(clusterName);
        if (maxDatagramBytes is < WireFormat.MinimumBudget or > WireFormat.MaximumBudget)
            throw new ArgumentOutOfRangeException(nameof(maxDatagramBytes), maxDatagramBytes, $"The maximum datagram size must be between {WireFormat.MinimumBudget} and {WireFormat.MaximumBudget} bytes.");
        encryption?.Validate();
        ClusterName = clusterName;
        MaxDatagramBytes = maxDatagramBytes;
        Limits = limits ?? ProtocolLimits.Default;
        Encryption = encryption;
        _clusterHash = WireFormat.ClusterHash(clusterName);
        _sendsEncrypted = encryption?.SendsEncrypted ?? false;
        _acceptsPlaintext = encryption?.AcceptsPlaintext ?? true;
        if (_sendsEncrypted && maxDatagramBytes - EncryptedEnvelope.Overhead < WireFormat.MinimumBudget)
            throw new ArgumentOutOfRangeException(nameof(maxDatagramBytes), maxDatagramBytes, $"With encryption the maximum datagram size must be at least {WireFormat.MinimumBudget + EncryptedEnvelope.Overhead} bytes: {WireFormat.MinimumBudget} for the message plus {EncryptedEnvelope.Overhead} for the envelope.");
        if (encryption is { AcceptsEncrypted: true })
            _cipher = new EnvelopeCipher(encryption.Keys, clusterName);
    }

    /// <summary>The cluster whose datagrams this codec accepts.</summary>
    public string ClusterName { get; }

    /// <summary>No datagram is longer than this.</summary>
    public int MaxDatagramBytes { get; }

    /// <summary>Limits applied while decoding.</summary>
    public ProtocolLimits Limits { get; }

    /// <summary>The keys and mode, or null when this codec speaks plaintext only.</summary>
    public EncryptionSettings? Encryption { get; }

    /// <summary>Bytes each sent datagram takes beyond its message: <see cref="EncryptedEnvelope.Overhead"/> when sending encrypted, else 0.</summary>
    public int Overhead => _sendsEncrypted ? EncryptedEnvelope.Overhead : 0;

    /// <summary>The budget to give the message builders so that every encoded datagram fits <see cref="MaxDatagramBytes"/>.</summary>
    public int MessageBudget => MaxDatagramBytes - Overhead;

    /// <summary>Encodes a message into one datagram; throws if a builder broke its budget (a bug, never input-driven).</summary>
    public byte[] Encode(GossipMessage message)
    {
        var bytes = MessageCodec.Encode(message, _clusterHash);
        if (bytes.Length > MessageBudget)
            throw new InvalidOperationException($"A {message.GetType().Name} of {bytes.Length} bytes exceeds the {MessageBudget}-byte message budget (datagram limit {MaxDatagramBytes}, envelope {Overhead}).");
        if (!_sendsEncrypted)
            return bytes;
        var datagram = _cipher!.Seal(bytes);
        CryptographicOperations.ZeroMemory(bytes);
        return datagram;
    }

    /// <summary>Decodes one datagram; returns <see cref="DropReason.None"/> and the message, or why it was dropped. Never throws.</summary>
    public DropReason TryDecode(ReadOnlySpan<byte> datagram, out GossipMessage? message)
    {
        message = null;
        if (datagram.Length > MaxDatagramBytes)
            return DropReason.TooLarge;
        if (EncryptedEnvelope.IsEncrypted(datagram))
            return TryDecodeEncrypted(datagram, out message);
        if (!_acceptsPlaintext)
            return RejectPlaintext(datagram);
        return MessageCodec.TryDecode(datagram, _clusterHash, Limits, out message);
    }

    private DropReason TryDecodeEncrypted(ReadOnlySpan<byte> datagram, out GossipMessage? message)
    {
        message = null;
        if (_cipher is null)
            return DropReason.EncryptionNotConfigured;
        if (datagram.Length < EncryptedEnvelope.Overhead)
            return DropReason.TooShort;
        var length = datagram.Length - EncryptedEnvelope.Overhead;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        var plaintext = buffer.AsSpan(0, length);
        try
        {
            var reason = _cipher.TryOpen(datagram, plaintext);
            // The inner message still carries and checks the cluster hash; the name was also bound by the tag.
            return reason != DropReason.None ? reason : MessageCodec.TryDecode(plaintext, _clusterHash, Limits, out message);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Why a datagram that is not encrypted is dropped when encryption is required: the header's own fault if it has
    /// one (so garbage and other protocol versions are counted as such), else <see cref="DropReason.NotEncrypted"/>.
    /// The body is never parsed.
    /// </summary>
    private static DropReason RejectPlaintext(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length < 4)
            return DropReason.TooShort;
        if (datagram[0] != WireFormat.Magic0 || datagram[1] != WireFormat.Magic1)
            return DropReason.BadMagic;
        if (datagram[2] != WireFormat.ProtocolVersion)
            return DropReason.UnsupportedVersion;
        if (!WireFormat.IsKnownMessageType(datagram[3]))
            return DropReason.UnknownMessageType;
        return DropReason.NotEncrypted;
    }
}
