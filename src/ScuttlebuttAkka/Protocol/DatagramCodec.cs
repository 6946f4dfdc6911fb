namespace ScuttlebuttAkka.Protocol;

/// <summary>
/// Turns messages into datagrams and back for one cluster: the message codec plus the datagram size limit
/// (and, when configured, the encryption envelope). The one place the runtime encodes and decodes.
/// </summary>
public sealed class DatagramCodec
{
    private readonly uint _clusterHash;

    /// <summary>Creates the codec of cluster <paramref name="clusterName"/>, whose datagrams are at most <paramref name="maxDatagramBytes"/> long.</summary>
    public DatagramCodec(string clusterName, int maxDatagramBytes, ProtocolLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(clusterName);
        if (maxDatagramBytes is < WireFormat.MinimumBudget or > WireFormat.MaximumBudget)
            throw new ArgumentOutOfRangeException(nameof(maxDatagramBytes), maxDatagramBytes, $"The maximum datagram size must be between {WireFormat.MinimumBudget} and {WireFormat.MaximumBudget} bytes.");
        ClusterName = clusterName;
        MaxDatagramBytes = maxDatagramBytes;
        Limits = limits ?? ProtocolLimits.Default;
        _clusterHash = WireFormat.ClusterHash(clusterName);
    }

    /// <summary>The cluster whose datagrams this codec accepts.</summary>
    public string ClusterName { get; }

    /// <summary>No datagram is longer than this.</summary>
    public int MaxDatagramBytes { get; }

    /// <summary>Limits applied while decoding.</summary>
    public ProtocolLimits Limits { get; }

    /// <summary>The budget to give the message builders so that every encoded datagram fits <see cref="MaxDatagramBytes"/>.</summary>
    public int MessageBudget => MaxDatagramBytes;

    /// <summary>Encodes a message into one datagram; throws if a builder broke its budget (a bug, never input-driven).</summary>
    public byte[] Encode(GossipMessage message)
    {
        var bytes = MessageCodec.Encode(message, _clusterHash);
        if (bytes.Length > MaxDatagramBytes)
            throw new InvalidOperationException($"A {message.GetType().Name} of {bytes.Length} bytes exceeds the {MaxDatagramBytes}-byte datagram limit.");
        return bytes;
    }

    /// <summary>Decodes one datagram; returns <see cref="DropReason.None"/> and the message, or why it was dropped. Never throws.</summary>
    public DropReason TryDecode(ReadOnlySpan<byte> datagram, out GossipMessage? message)
    {
        message = null;
        if (datagram.Length > MaxDatagramBytes)
            return DropReason.TooLarge;
        return MessageCodec.TryDecode(datagram, _clusterHash, Limits, out message);
    }
}
