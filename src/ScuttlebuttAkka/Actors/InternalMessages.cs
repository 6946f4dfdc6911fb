using System.Net;
using ScuttlebuttAkka.Protocol;

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

internal sealed record StreamInit
{
    public static readonly StreamInit Instance = new();
}

internal sealed record StreamAck
{
    public static readonly StreamAck Instance = new();
}

internal sealed record StreamCompleted : Akka.Event.IDeadLetterSuppression
{
    public static readonly StreamCompleted Instance = new();
}

internal sealed record SeedsResolved(IReadOnlyList<string> Seeds);

internal sealed record AddressResolved(string Address, IPEndPoint? EndPoint);

// Times are read by the gossiper when the datagram is applied, not when the child dequeues the message, so a busy
// mailbox cannot distort the failure detector's intervals.

/// <summary>Gossiper to child: the peer's heartbeat advanced at <paramref name="AtMs"/>.</summary>
internal sealed record HeartbeatArrived(long AtMs);

/// <summary>Gossiper to child: the peer came back as a new incarnation.</summary>
internal sealed record PeerRestartedNotice(long Generation, long AtMs);

/// <summary>Gossiper to child: the peer announced a leave.</summary>
internal sealed record PeerLeftNotice(long AtMs);

/// <summary>Child to itself: time to evaluate the failure detector.</summary>
internal sealed record LivenessCheck
{
    public static readonly LivenessCheck Instance = new();
}

/// <summary>Child to gossiper: the peer's status changed.</summary>
internal sealed record PeerTransitioned(string PeerId, long Generation, LivenessTransition Transition, double Phi);

/// <summary>Gossiper to subscription actor: events of one applied message, and the view after it.</summary>
internal sealed record PublishEvents(IReadOnlyList<PeerEvent> Events, ClusterView View);
