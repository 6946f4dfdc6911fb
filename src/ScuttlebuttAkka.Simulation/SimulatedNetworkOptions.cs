namespace ScuttlebuttAkka.Simulation;

/// <summary>How a <see cref="SimulatedNetwork"/> behaves before a test changes it.</summary>
public sealed record SimulatedNetworkOptions
{
    /// <summary>The defaults: a perfect network with an Ethernet-sized datagram limit.</summary>
    public static SimulatedNetworkOptions Default { get; } = new();

    /// <summary>Seed of the network's random choices (loss, delay, duplication, reordering).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The faults of every link until changed.</summary>
    public LinkFaults Faults { get; init; } = LinkFaults.None;

    /// <summary>Datagrams longer than this are dropped and counted, like a path whose MTU is 1500 bytes (1472 of UDP payload).</summary>
    public int MaxDatagramBytes { get; init; } = 1472;

    /// <summary>
    /// The first address handed out; node N (in order of first binding) gets this address plus N - 1, so with the
    /// default the nodes are 127.1.0.1, 127.1.0.2, ... Never opened as a socket.
    /// </summary>
    public string FirstAddress { get; init; } = "127.1.0.1";

    /// <summary>The port of every simulated address when a node's bind address names port 0.</summary>
    public int DefaultPort { get; init; } = 7474;

    /// <summary>Datagrams that may wait for a slow node to take them; more are dropped and counted as undeliverable.</summary>
    public int InboundBufferSize { get; init; } = 1024;

    /// <summary>Throws <see cref="ArgumentException"/> when a setting is out of range.</summary>
    public SimulatedNetworkOptions Validate()
    {
        ArgumentNullException.ThrowIfNull(Faults, nameof(Faults));
        Faults.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxDatagramBytes, nameof(MaxDatagramBytes));
        if (!System.Net.IPAddress.TryParse(FirstAddress, out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            throw new ArgumentException($"FirstAddress must be an IPv4 literal; got '{FirstAddress}'.", nameof(FirstAddress));
        if (DefaultPort is < 1 or > 65535)
            throw new ArgumentOutOfRangeException(nameof(DefaultPort), DefaultPort, "DefaultPort must be between 1 and 65535.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(InboundBufferSize, nameof(InboundBufferSize));
        return this;
    }
}
