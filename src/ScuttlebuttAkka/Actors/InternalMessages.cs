using System.Net;

namespace ScuttlebuttAkka.Actors;

// Messages that stay inside the library: between the gossiper, its children and the subscription actor.

internal sealed record GossipTick
{
    public static readonly GossipTick Instance = new();
}

// Transport messages carry the instance that materialized the stream: after a restart, the old stream's last words
// reach the new instance (same ActorRef) and must not be taken for its own transport failing.

internal sealed record TransportBound(EndPoint EndPoint, Guid Instance);

// The stream dies with its gossiper and reports that to it: after the gossiper stopped, that is no news (no dead letter).
internal sealed record TransportFailed(Exception Cause, Guid Instance) : Akka.Event.IDeadLetterSuppression;

internal sealed record StreamCompleted : Akka.Event.IDeadLetterSuppression
{
    public static readonly StreamCompleted Instance = new();
}

internal sealed record SeedsResolved(IReadOnlyList<string> Seeds);

internal sealed record AddressResolved(string Address, IPEndPoint? EndPoint);

/// <summary>
/// Gossiper to a peer's child: the peer's entry in the view changed (<paramref name="Info"/>, null once it is removed),
/// with the events about it, in order. Never sent for a heartbeat alone.
/// </summary>
internal sealed record PeerChanged(PeerInfo? Info, IReadOnlyList<PeerEvent> Events);

/// <summary>Gossiper to subscription actor: events of one applied message, and the view after it.</summary>
internal sealed record PublishEvents(IReadOnlyList<PeerEvent> Events, ClusterView View);
