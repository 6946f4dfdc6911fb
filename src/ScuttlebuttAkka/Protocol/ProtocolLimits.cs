using System.Text;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Protocol;

/// <summary>
/// Size and count limits that every node enforces on its own writes and on what it accepts from the network.
/// Local writes that break a limit throw; remote data that breaks one is dropped and counted.
/// </summary>
public sealed record ProtocolLimits
{
    /// <summary>The defaults of the library's reference.conf (the same in every preset).</summary>
    public static readonly ProtocolLimits Default = new();

    /// <summary>The largest node id, in UTF-8 bytes (the Go library's limit).</summary>
    public const int MaxNodeIdBytesHardLimit = 256;

    /// <summary>The largest gossip address ("host:port"), in UTF-8 bytes.</summary>
    public const int MaxAddressBytes = 255;

    /// <summary>Largest key, in UTF-8 bytes.</summary>
    public int MaxKeyBytes { get; init; } = ReferenceDefaults.MaxKeyBytes;

    /// <summary>Largest value, in UTF-8 bytes. A key and its value must fit in one datagram, so keep this well under the datagram size.</summary>
    public int MaxValueBytes { get; init; } = ReferenceDefaults.MaxValueBytes;

    /// <summary>Most keys (live or tombstoned) one node may hold; writes past it fail and remote pairs past it are dropped.</summary>
    public int MaxKeysPerNode { get; init; } = ReferenceDefaults.MaxKeysPerNode;

    /// <summary>Most nodes one view tracks (itself included); news of further nodes is dropped and counted.</summary>
    public int MaxNodes { get; init; } = ReferenceDefaults.MaxNodes;

    /// <summary>Throws when a limit is out of range.</summary>
    public void Validate()
    {
        if (MaxKeyBytes is < 1 or > 65535)
            throw new ArgumentOutOfRangeException(nameof(MaxKeyBytes), MaxKeyBytes, "MaxKeyBytes must be between 1 and 65535.");
        if (MaxValueBytes is < 0 or > 65535)
            throw new ArgumentOutOfRangeException(nameof(MaxValueBytes), MaxValueBytes, "MaxValueBytes must be between 0 and 65535.");
        if (MaxKeysPerNode < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxKeysPerNode), MaxKeysPerNode, "MaxKeysPerNode must be at least 1.");
        if (MaxNodes < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxNodes), MaxNodes, "MaxNodes must be at least 1.");
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="nodeId"/> is a valid node id.</summary>
    public static void ValidateNodeId(string nodeId, string paramName = "nodeId")
    {
        ArgumentNullException.ThrowIfNull(nodeId, paramName);
        if (nodeId.Length == 0)
            throw new ArgumentException("A node id must not be empty.", paramName);
        var bytes = Utf8Bytes(nodeId, "node id", paramName);
        if (bytes > MaxNodeIdBytesHardLimit)
            throw new ArgumentException($"A node id must be at most {MaxNodeIdBytesHardLimit} UTF-8 bytes; '{Truncate(nodeId)}' is {bytes}.", paramName);
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="address"/> is a non-empty "host:port" of at most 255 bytes.</summary>
    public static void ValidateAddress(string address, string paramName = "address")
    {
        ArgumentNullException.ThrowIfNull(address, paramName);
        var bytes = Utf8Bytes(address, "gossip address", paramName);
        if (bytes is 0 or > MaxAddressBytes)
            throw new ArgumentException($"A gossip address must be 1 to {MaxAddressBytes} UTF-8 bytes; got {bytes}.", paramName);
        if (!GossipAddress.TryParse(address, out _, out _))
            throw new ArgumentException($"'{Truncate(address)}' is not a valid gossip address: expected host:port (IPv6 as [::1]:port) with a port from 0 to 65535.", paramName);
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="key"/> is a key an application may write.</summary>
    public void ValidateKey(string key, string paramName = "key")
    {
        ArgumentNullException.ThrowIfNull(key, paramName);
        if (key.Length == 0)
            throw new ArgumentException("A key must not be empty.", paramName);
        if (ReservedKeys.IsReserved(key))
            throw new ArgumentException($"Keys starting with U+0000 are reserved for the protocol; '{Truncate(key)}' is one.", paramName);
        var bytes = Utf8Bytes(key, "key", paramName);
        if (bytes > MaxKeyBytes)
            throw new ArgumentException($"A key must be at most {MaxKeyBytes} UTF-8 bytes; '{Truncate(key)}' is {bytes}.", paramName);
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="value"/> fits <see cref="MaxValueBytes"/>.</summary>
    public void ValidateValue(string value, string paramName = "value")
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        var bytes = Utf8Bytes(value, "value", paramName);
        if (bytes > MaxValueBytes)
            throw new ArgumentException($"A value must be at most {MaxValueBytes} UTF-8 bytes; got {bytes}.", paramName);
    }

    // Strict: a lone UTF-16 surrogate would be sent as U+FFFD, so the writer and its peers would hold different keys.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static int Utf8Bytes(string s, string what, string paramName)
    {
        try
        {
            return StrictUtf8.GetByteCount(s);
        }
        catch (EncoderFallbackException)
        {
            throw new ArgumentException($"A {what} must be valid Unicode; '{Truncate(s)}' holds an unpaired surrogate.", paramName);
        }
    }

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "...";
}
