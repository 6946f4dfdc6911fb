namespace ScuttlebuttAkka.Simulation;

/// <summary>A datagram seen on a captured link, as it was sent (before the network's faults).</summary>
/// <param name="AtMs">When it was sent, in virtual milliseconds.</param>
/// <param name="From">The sending node.</param>
/// <param name="To">The receiving node.</param>
/// <param name="Payload">Its bytes.</param>
public sealed record CapturedDatagram(long AtMs, string From, string To, byte[] Payload);

/// <summary>
/// The datagrams a <see cref="ClusterSimulator.Capture"/> recorded on one directed link, oldest first: a wire tap at
/// the sender, for tests that replay or alter old traffic (<see cref="ClusterSimulator.Replay"/>,
/// <see cref="ClusterSimulator.Inject"/>).
/// </summary>
public sealed class DatagramCapture
{
    private readonly List<CapturedDatagram> _datagrams = new();

    internal DatagramCapture(string from, string to)
    {
        From = from;
        To = to;
    }

    /// <summary>The sending end of the link.</summary>
    public string From { get; }

    /// <summary>The receiving end of the link.</summary>
    public string To { get; }

    /// <summary>True until <see cref="Stop"/>.</summary>
    public bool IsRecording { get; private set; } = true;

    /// <summary>What was recorded, oldest first.</summary>
    public IReadOnlyList<CapturedDatagram> Datagrams => _datagrams;

    /// <summary>Stops recording; what was recorded stays.</summary>
    public void Stop() => IsRecording = false;

    internal void Add(CapturedDatagram datagram) => _datagrams.Add(datagram);
}
