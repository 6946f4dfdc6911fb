using Akka.Actor;
using Akka.Event;
using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Liveness;

namespace ScuttlebuttAkka.Actors;

/// <summary>
/// One known peer, child of the <see cref="GossiperActor"/>, alive for as long as the node knows the peer: it is told
/// every liveness transition and restart of its peer, logs it under the peer's own actor path, and stops when the
/// peer is removed. The failure detector itself (<see cref="PeerLiveness"/>) runs in the gossiper, which sees every
/// heartbeat advance as it applies a message: handing each one to a child actor cost more CPU than the protocol.
/// </summary>
public sealed class PeerStateActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _observer;
    private readonly string _peerId;

    /// <summary>Creates the actor of peer <paramref name="peerId"/> (incarnation <paramref name="generation"/>) as seen by <paramref name="observer"/>.</summary>
    public PeerStateActor(string observer, string peerId, long generation)
    {
        _observer = observer;
        _peerId = peerId;
        Generation = generation;
        Receive<PeerTransitioned>(OnTransition);
        Receive<PeerRestartedNotice>(m =>
        {
            if (m.Generation <= Generation)
                return;
            Generation = m.Generation;
            Status = PeerStatus.Alive;
            _log.Info("{0}: peer {1} restarted as generation {2}", _observer, _peerId, Generation);
        });
    }

    private long Generation { get; set; }

    private PeerStatus Status { get; set; } = PeerStatus.Alive;

    /// <summary>Props for a peer actor.</summary>
    public static Props Props(string observer, string peerId, long generation) =>
        Akka.Actor.Props.Create(() => new PeerStateActor(observer, peerId, generation));

    private void OnTransition(PeerTransitioned m)
    {
        Generation = m.Generation;
        switch (m.Transition)
        {
            case LivenessTransition.Down:
                Status = PeerStatus.Down;
                _log.Info("{0}: peer {1} is down (phi {2:F1})", _observer, _peerId, m.Phi);
                break;
            case LivenessTransition.Up:
                Status = PeerStatus.Alive;
                _log.Info("{0}: peer {1} is up again", _observer, _peerId);
                break;
            case LivenessTransition.Left:
                Status = PeerStatus.Left;
                _log.Info("{0}: peer {1} left", _observer, _peerId);
                break;
            case LivenessTransition.Removed:
                _log.Info("{0}: peer {1} removed after {2} (generation {3})", _observer, _peerId, Status == PeerStatus.Left ? "leaving" : "being down", Generation);
                Context.Stop(Self);
                break;
        }
    }
}
