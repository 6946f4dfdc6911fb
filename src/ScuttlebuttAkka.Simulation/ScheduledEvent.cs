using System.Net;

namespace ScuttlebuttAkka.Simulation;

/// <summary>What happens at one instant of a simulation.</summary>
internal enum EventKind
{
    /// <summary>A node's gossip round.</summary>
    Round,

    /// <summary>A node's seed request comes back.</summary>
    SeedsResolved,

    /// <summary>A datagram copy arrives at a node.</summary>
    Delivery,

    /// <summary>A scripted action runs.</summary>
    Action,
}

/// <summary>One entry of the event queue; which fields matter depends on <see cref="Kind"/>.</summary>
/// <param name="Kind">What happens.</param>
/// <param name="Node">The node it happens at.</param>
/// <param name="Incarnation">The incarnation a round or seed answer belongs to (stale ones are skipped).</param>
/// <param name="From">The sending slot of a delivery; -1 for an injected datagram.</param>
/// <param name="Payload">The bytes of a delivery.</param>
/// <param name="Action">The scripted action.</param>
/// <param name="Source">The endpoint a delivery comes from.</param>
/// <param name="FromId">The sender's name in the network's counters.</param>
internal readonly record struct ScheduledEvent(
    EventKind Kind,
    int Node,
    int Incarnation,
    int From,
    byte[]? Payload,
    Action<ClusterSimulator>? Action,
    EndPoint? Source = null,
    string? FromId = null);
