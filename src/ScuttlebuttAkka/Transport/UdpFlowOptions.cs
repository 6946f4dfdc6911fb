namespace ScuttlebuttAkka.Transport;

/// <summary>Tuning of one UDP flow (see <see cref="UdpFlow.Create"/>); the defaults suit a gossip node on a LAN.</summary>
internal sealed record UdpFlowOptions
{
    /// <summary>The largest UDP payload that fits one IPv4 datagram (65,535 minus the IP and UDP headers).</summary>
    public const int MaxUdpPayloadBytes = 65507;

    /// <summary>The options with every default.</summary>
    public static UdpFlowOptions Default { get; } = new();

    /// <summary>
    /// The socket receive buffer (SO_RCVBUF) to ask for: 4 MiB by default, so that bursts survive a busy stage.
    /// The operating system may grant less (Linux caps it at net.core.rmem_max).
    /// </summary>
    public int ReceiveBufferBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>The socket send buffer (SO_SNDBUF) to ask for: 1 MiB by default; a send that finds it full is dropped and counted.</summary>
    public int SendBufferBytes { get; init; } = 1024 * 1024;

    /// <summary>Outgoing payloads longer than this are dropped unsent and counted (default and maximum 65,507 bytes).</summary>
    public int MaxDatagramBytes { get; init; } = MaxUdpPayloadBytes;

    /// <summary>Received datagrams held while downstream is slow (default 1,024); beyond that they are dropped and counted.</summary>
    public int InboundBufferSize { get; init; } = 1024;

    /// <summary>
    /// Where to count traffic, errors and drops. When null, a flow run by a gossiper counts into its node's
    /// <see cref="Diagnostics.GossipStatistics.Transport"/>, and any other materialization into a private instance.
    /// </summary>
    public TransportCounters? Counters { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option; returns these options otherwise.</summary>
    public UdpFlowOptions Validate()
    {
        if (ReceiveBufferBytes <= 0)
            throw new ArgumentOutOfRangeException(nameof(ReceiveBufferBytes), ReceiveBufferBytes, "The socket receive buffer must be a positive number of bytes.");
        if (SendBufferBytes <= 0)
            throw new ArgumentOutOfRangeException(nameof(SendBufferBytes), SendBufferBytes, "The socket send buffer must be a positive number of bytes.");
        if (MaxDatagramBytes is < 1 or > MaxUdpPayloadBytes)
            throw new ArgumentOutOfRangeException(nameof(MaxDatagramBytes), MaxDatagramBytes, $"The maximum datagram size must be between 1 and {MaxUdpPayloadBytes} bytes.");
        if (InboundBufferSize < 1)
            throw new ArgumentOutOfRangeException(nameof(InboundBufferSize), InboundBufferSize, "The inbound buffer must hold at least one datagram.");
        return this;
    }
}
