using System.Net;
using Akka.Actor;

namespace ScuttlebuttAkka.Actors;

/// <summary>Sets one of this node's keys. The gossiper answers the sender with <see cref="LocalWriteAck"/>.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">The value.</param>
/// <param name="TimeToLive">When set, the key is deleted after this long.</param>
public sealed record UpdateLocal(string Key, string Value, TimeSpan? TimeToLive = null);

/// <summary>Deletes one of this node's keys. The gossiper answers the sender with <see cref="LocalWriteAck"/>.</summary>
/// <param name="Key">The key.</param>
public sealed record DeleteLocal(string Key);

/// <summary>The outcome of a local write.</summary>
/// <param name="Key">The key written.</param>
/// <param name="Version">The version the write got; 0 for a delete of a key that did not exist.</param>
public sealed record LocalWriteAck(string Key, long Version);

/// <summary>Leave gracefully: announce it, gossip for a few more rounds, answer <see cref="LeaveCompleted"/>, then stop.</summary>
public sealed record Leave
{
    /// <summary>The single instance.</summary>
    public static readonly Leave Instance = new();
}

/// <summary>The answer to <see cref="Leave"/>: peers have been told, and the gossiper stops.</summary>
/// <param name="NodeId">The node that left.</param>
public sealed record LeaveCompleted(string NodeId);

/// <summary>Asks for the bound and advertised addresses; answered with <see cref="LocalAddress"/> once the socket is bound.</summary>
public sealed record GetLocalAddress
{
    /// <summary>The single instance.</summary>
    public static readonly GetLocalAddress Instance = new();
}

/// <summary>Where this node listens and how peers reach it.</summary>
/// <param name="NodeId">This node's id.</param>
/// <param name="Generation">This node's incarnation.</param>
/// <param name="Bound">The bound socket endpoint (port resolved).</param>
/// <param name="Advertised">The gossip address peers use.</param>
public sealed record LocalAddress(string NodeId, long Generation, EndPoint Bound, string Advertised);

/// <summary>Asks for the current <see cref="ClusterView"/> (the facade reads it with no round trip).</summary>
internal sealed record GetClusterView
{
    /// <summary>The single instance.</summary>
    public static readonly GetClusterView Instance = new();
}

/// <summary>Asks for the node's <see cref="Diagnostics.GossipStatistics"/> (the facade reads them with no round trip).</summary>
internal sealed record GetStatistics
{
    /// <summary>The single instance.</summary>
    public static readonly GetStatistics Instance = new();
}

/// <summary>
/// Subscribes <paramref name="Subscriber"/> to this node's <see cref="PeerEvent"/>s on the EventStream. With
/// <paramref name="InitialStateAsEvents"/> it first receives the current state replayed as events (joined, updated,
/// down, left), with nothing missed or repeated between the replay and the live events.
/// </summary>
/// <param name="Subscriber">Who gets the events.</param>
/// <param name="InitialStateAsEvents">Replay the current state first.</param>
public sealed record SubscribePeerEvents(IActorRef Subscriber, bool InitialStateAsEvents = false);

/// <summary>
/// The answer to <see cref="SubscribePeerEvents"/> (<paramref name="PeerId"/> null) and to <see cref="SubscribePeer"/>
/// once the replay (if any) was sent and the subscription is live.
/// </summary>
/// <param name="PeerId">The peer watched; null for all of them.</param>
public sealed record Subscribed(string? PeerId)
{
    /// <summary>The answer to <see cref="SubscribePeerEvents"/>.</summary>
    public static readonly Subscribed ToAll = new((string?)null);
}

/// <summary>
/// Asks for what this node knows of peer <paramref name="PeerId"/>: answered with its <see cref="PeerInfo"/>, or a
/// <see cref="Status.Failure"/> when the peer is unknown. Send it to the gossiper, or straight to the peer's actor (its
/// child named <see cref="GossiperActor.PeerActorName"/>).
/// </summary>
/// <param name="PeerId">The peer.</param>
public sealed record GetPeerState(string PeerId);

/// <summary>
/// Subscribes <paramref name="Subscriber"/> to the events about one peer only, for as long as this node knows it: the
/// last event it gets is <see cref="PeerEvent.Removed"/>. With <paramref name="InitialStateAsEvents"/> it first receives
/// the peer's current state as events. Answered with <see cref="Subscribed"/>, or a <see cref="Status.Failure"/>
/// when the peer is unknown. A subscriber that stops is unsubscribed.
/// </summary>
/// <param name="PeerId">The peer to watch.</param>
/// <param name="Subscriber">Who gets the events.</param>
/// <param name="InitialStateAsEvents">Replay the peer's current state first.</param>
public sealed record SubscribePeer(string PeerId, IActorRef Subscriber, bool InitialStateAsEvents = false);

/// <summary>Ends a <see cref="SubscribePeer"/> subscription (a subscriber that stops is unsubscribed anyway).</summary>
/// <param name="PeerId">The peer watched.</param>
/// <param name="Subscriber">The subscriber.</param>
internal sealed record UnsubscribePeer(string PeerId, IActorRef Subscriber);
