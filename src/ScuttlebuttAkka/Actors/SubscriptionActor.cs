using Akka.Actor;
using ScuttlebuttAkka.Protocol;

namespace ScuttlebuttAkka.Actors;

/// <summary>
/// Publishes one node's <see cref="PeerEvent"/>s to the EventStream, a whole applied message at a time, and serves
/// subscriptions that want the current state replayed first. Being the only publisher of this node's events, it can
/// replay and subscribe in one step, so a subscriber misses nothing and sees nothing twice.
/// </summary>
internal sealed class SubscriptionActor : ReceiveActor
{
    private ClusterView _view;

    /// <summary>Creates the subscription actor of node <paramref name="selfId"/>.</summary>
    public SubscriptionActor(string selfId)
    {
        _view = ClusterView.Empty(selfId);
        Receive<PublishEvents>(m =>
        {
            _view = m.View;
            foreach (var e in m.Events)
                Context.System.EventStream.Publish(e);
        });
        Receive<SubscribePeerEvents>(m =>
        {
            if (m.InitialStateAsEvents)
                Replay(m.Subscriber);
            Context.System.EventStream.Subscribe(m.Subscriber, typeof(PeerEvent));
            Sender.Tell(Subscribed.ToAll);
        });
    }

    /// <summary>Props for the subscription actor of node <paramref name="selfId"/>.</summary>
    public static Props Props(string selfId) => Akka.Actor.Props.Create(() => new SubscriptionActor(selfId));

    private void Replay(IActorRef subscriber)
    {
        var self = _view.NodeId;
        foreach (var peer in _view.Peers.Values.OrderBy(p => p.PeerId, StringComparer.Ordinal))
        {
            if (peer.PeerId == self)
                continue;
            foreach (var e in Replay(self, peer))
                subscriber.Tell(e);
        }
    }

    /// <summary>One peer's current state as the events that would have built it: joined, its keys in version order, then down or left.</summary>
    internal static IEnumerable<PeerEvent> Replay(string observer, PeerInfo peer)
    {
        yield return new PeerEvent.Joined(observer, peer.PeerId, peer.Generation, peer.Address);
        foreach (var (key, value) in peer.Values.OrderBy(kv => kv.Value.Version))
            yield return new PeerEvent.Updated(observer, peer.PeerId, key, value.Value, value.Version);
        if (peer.Status == PeerStatus.Down)
            yield return new PeerEvent.Down(observer, peer.PeerId, double.NaN);
        else if (peer.Status == PeerStatus.Left)
            yield return new PeerEvent.Left(observer, peer.PeerId, peer.Generation);
    }
}
