using Akka.Streams;

namespace ScuttlebuttAkka.Transport;

/// <summary>
/// A stream attribute naming where a UDP stage counts when its <see cref="UdpFlowOptions.Counters"/> are not set: the
/// gossiper materializes whatever flow its <see cref="TransportFactory"/> made with its node's counters this way, so
/// a factory needs no parameter for them.
/// </summary>
internal sealed class TransportCountersAttribute(TransportCounters counters) : Attributes.IAttribute
{
    /// <summary>Where to count.</summary>
    public TransportCounters Counters { get; } = counters;

    /// <summary>Attributes that make every UDP stage below count into <paramref name="counters"/>.</summary>
    public static Attributes CountInto(TransportCounters counters) => new(new TransportCountersAttribute(counters));
}
