using System.Net;
using ScuttlebuttAkka.Protocol.Liveness;

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

/// <summary>Gossiper to child: the peer came back as a new incarnation.</summary>
internal sealed record PeerRestartedNotice(long Generation);

/// <summary>Gossiper to child: the peer's status changed (phi at that moment, for the log).</summary>
internal sealed record PeerTransitioned(string PeerId, long Generation, LivenessTransition Transition, double Phi);

/// <summary>Gossiper to subscription actor: events of one applied message, and the view after it.</summary>
internal sealed record PublishEvents(IReadOnlyList<PeerEvent> Events, ClusterView View);
