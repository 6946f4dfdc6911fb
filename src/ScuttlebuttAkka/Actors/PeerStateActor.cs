using System.Text;
using Akka.Actor;
using Akka.Event;
using ScuttlebuttAkka.Protocol;

namespace ScuttlebuttAkka.Actors;

/// <summary>
/// One known peer, child of the <see cref="GossiperActor"/>, named after the peer (<see cref="ActorName"/>), alive for
/// as long as the node knows the peer. It holds the peer's current state as an immutable <see cref="PeerInfo"/>
/// (generation, status, address, keys, version), answers <see cref="GetPeerState"/> with it, and serves subscriptions to
/// that peer's events alone (<see cref="SubscribePeer"/>). The gossiper tells it only when the peer's entry changes,
/// never for a heartbeat, so an idle cluster costs it nothing; it logs the peer's lifecycle under its own path and stops
/// after the peer is removed.
/// </summary>
internal sealed class PeerStateActor : ReceiveActor
{
    private const string Prefix = "peer-";
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _observer;
    private readonly HashSet<IActorRef> _subscribers = new();
    private PeerInfo _state;

    /// <summary>Creates the actor of the peer <paramref name="state"/> describes, as seen by node <paramref name="observer"/>.</summary>
    public PeerStateActor(string observer, PeerInfo state)
    {
        _observer = observer;
        _state = state;
        Receive<PeerChanged>(OnChanged);
        Receive<GetPeerState>(_ => Sender.Tell(_state));
        Receive<SubscribePeer>(m =>
        {
            if (m.InitialStateAsEvents)
            {
                foreach (var e in SubscriptionActor.Replay(_observer, _state))
                    m.Subscriber.Tell(e);
            }

            if (_subscribers.Add(m.Subscriber))
                Context.Watch(m.Subscriber);
            Sender.Tell(new Subscribed(_state.PeerId));
        });
        Receive<UnsubscribePeer>(m => Unsubscribe(m.Subscriber));
        Receive<Terminated>(m => Unsubscribe(m.ActorRef));
    }

    /// <summary>Props for the actor of the peer <paramref name="state"/> describes, as seen by node <paramref name="observer"/>.</summary>
    public static Props Props(string observer, PeerInfo state)
    {
        ArgumentNullException.ThrowIfNull(observer);
        ArgumentNullException.ThrowIfNull(state);
        return Akka.Actor.Props.Create(() => new PeerStateActor(observer, state));
    }

    /// <summary>
    /// The child name of peer <paramref name="peerId"/> under its gossiper: "peer-" and the id, every byte of its UTF-8
    /// form that an actor path does not allow written as %XX, so <c>Context.Child</c> or an <c>ActorSelection</c> of the
    /// gossiper's path and this name finds it.
    /// </summary>
    public static string ActorName(string peerId)
    {
        ArgumentException.ThrowIfNullOrEmpty(peerId);
        var name = new StringBuilder(Prefix.Length + peerId.Length).Append(Prefix);
        foreach (var b in Encoding.UTF8.GetBytes(peerId))
        {
            var c = (char)b;
            if (b < 0x80 && (char.IsAsciiLetterOrDigit(c) || "-_.*+:@&=,!~';".Contains(c)))
                name.Append(c);
            else
                name.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return name.ToString();
    }

    private void OnChanged(PeerChanged m)
    {
        foreach (var e in m.Events)
        {
            Log(e);
            foreach (var subscriber in _subscribers)
                subscriber.Tell(e);
        }

        if (m.Info is { } info)
        {
            _state = info;
            return;
        }

        Context.Stop(Self);
    }

    private void Log(PeerEvent e)
    {
        var peer = _state.PeerId;
        switch (e)
        {
            case PeerEvent.Down d when d.CorroboratedBy > 0:
                _log.Info("{0}: peer {1} is down (phi {2:F1}, corroborated by {3})", _observer, peer, d.Phi, d.CorroboratedBy);
                break;
            case PeerEvent.Down d:
                _log.Info("{0}: peer {1} is down (phi {2:F1})", _observer, peer, d.Phi);
                break;
            case PeerEvent.Up:
                _log.Info("{0}: peer {1} is up again", _observer, peer);
                break;
            case PeerEvent.Left:
                _log.Info("{0}: peer {1} left", _observer, peer);
                break;
            case PeerEvent.Restarted r:
                _log.Info("{0}: peer {1} restarted as generation {2}", _observer, peer, r.NewGeneration);
                break;
            case PeerEvent.Removed:
                _log.Info("{0}: peer {1} removed after {2} (generation {3})", _observer, peer, _state.Status == PeerStatus.Left ? "leaving" : "being down", _state.Generation);
                break;
        }
    }

    private void Unsubscribe(IActorRef subscriber)
    {
        if (_subscribers.Remove(subscriber))
            Context.Unwatch(subscriber);
    }
}
