using ScuttlebuttAkka.Protocol.State;

namespace ScuttlebuttAkka.Protocol.Runtime;

/// <summary>
/// Where a <see cref="NodeRuntime"/> counts what it does: the one place each thing is counted. The default counts
/// nothing; the actor runtime feeds the node's statistics and the library's meter, the simulator its own metrics.
/// Called on the runtime's thread, once per thing, so an override must be cheap.
/// </summary>
internal class RuntimeTelemetry
{
    /// <summary>Counts nothing.</summary>
    public static readonly RuntimeTelemetry None = new();

    /// <summary>A round started.</summary>
    public virtual void RoundStarted()
    {
    }

    /// <summary>A datagram of <paramref name="bytes"/> bytes arrived (before decoding).</summary>
    public virtual void DatagramReceived(int bytes)
    {
    }

    /// <summary>A datagram of <paramref name="bytes"/> bytes was handed to the driver to send.</summary>
    public virtual void DatagramSent(int bytes)
    {
    }

    /// <summary>A received datagram was dropped for <paramref name="reason"/>.</summary>
    public virtual void DatagramDropped(DropReason reason)
    {
    }

    /// <summary>Applying a message refused some of it; <paramref name="report"/> says what and why.</summary>
    public virtual void Rejected(ApplyReport report)
    {
    }

    /// <summary>Whether <see cref="Phi"/> wants readings: phi costs an exp and a log per peer, so it is worked out only then.</summary>
    public virtual bool PhiEnabled => false;

    /// <summary>The detector's phi for one live peer at one check.</summary>
    public virtual void Phi(double phi)
    {
    }
}
