using Akka.Actor;
using ScuttlebuttAkka.Protocol.Runtime;

namespace ScuttlebuttAkka.Actors;

/// <summary>
/// The gossiper's <see cref="PeerStateActor"/> children, one per known peer, named after it. Each is told of its peer's
/// changes (the new entry and the events about it) and stops itself once its peer is removed; a peer that comes back
/// before the old child is gone gets its new child when the old one has terminated, since the name is taken until then.
/// </summary>
internal sealed class PeerChildren
{
    private static readonly IReadOnlyList<PeerEvent> NoEvents = Array.Empty<PeerEvent>();
    private readonly IActorContext _context;
    private readonly string _observer;
    private readonly Dictionary<string, IActorRef> _children = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, string> _stopping = new();
    private readonly Dictionary<string, PeerInfo> _waiting = new(StringComparer.Ordinal);

    public PeerChildren(IActorContext context, string observer)
    {
        _context = context;
        _observer = observer;
    }

    /// <summary>Tells every peer that changed in <paramref name="output"/> its new entry in <paramref name="view"/>.</summary>
    public void Apply(RuntimeOutput output, ClusterView view)
    {
        if (output.ChangedPeers.Count == 0)
            return;
        Dictionary<string, List<PeerEvent>>? byPeer = null;
        foreach (var e in output.Events)
        {
            byPeer ??= new Dictionary<string, List<PeerEvent>>(StringComparer.Ordinal);
            if (!byPeer.TryGetValue(e.PeerId, out var list))
                byPeer[e.PeerId] = list = new List<PeerEvent>();
            list.Add(e);
        }

        foreach (var id in output.ChangedPeers)
        {
            var info = view.Peers.GetValueOrDefault(id);
            IReadOnlyList<PeerEvent> events = byPeer is not null && byPeer.TryGetValue(id, out var mine) ? mine : NoEvents;
            if (_children.TryGetValue(id, out var child))
            {
                child.Tell(new PeerChanged(info, events));
                if (info is null)
                {
                    // The child passes the removal on to its subscribers, then stops; its name is free once it has.
                    _children.Remove(id);
                    _stopping[child] = id;
                }
            }
            else if (info is null)
            {
                _waiting.Remove(id);
            }
            else if (_stopping.ContainsValue(id))
            {
                _waiting[id] = info;
            }
            else
            {
                Create(id, info);
            }
        }
    }

    /// <summary>Answers <paramref name="query"/> from <paramref name="view"/>, or with a failure naming an unknown peer.</summary>
    public void Answer(GetPeerState query, ClusterView view, IActorRef sender)
    {
        if (query.PeerId != _observer && view.Peers.TryGetValue(query.PeerId, out var info))
            sender.Tell(info);
        else
            sender.Tell(UnknownPeer(query.PeerId));
    }

    /// <summary>Passes <paramref name="subscription"/> to its peer's child, or answers with a failure naming an unknown peer.</summary>
    public void Subscribe(SubscribePeer subscription, IActorRef sender)
    {
        if (!Forward(subscription.PeerId, subscription))
            sender.Tell(UnknownPeer(subscription.PeerId));
    }

    /// <summary>Forwards <paramref name="message"/> to peer <paramref name="peerId"/>'s child; false when it has none right now.</summary>
    public bool Forward(string peerId, object message)
    {
        if (!_children.TryGetValue(peerId, out var child))
            return false;
        child.Forward(message);
        return true;
    }

    /// <summary>A watched child terminated: a peer waiting for its name gets its child now. False when it was no child of ours.</summary>
    public bool OnTerminated(IActorRef actor)
    {
        if (_stopping.Remove(actor, out var id))
        {
            if (_waiting.Remove(id, out var info))
                Create(id, info);
            return true;
        }

        // Stopped by someone else while its peer is known: forget it, and the peer's next change makes a new one.
        foreach (var (peer, child) in _children)
        {
            if (child.Equals(actor))
            {
                _children.Remove(peer);
                return true;
            }
        }

        return false;
    }

    private Status.Failure UnknownPeer(string peerId) =>
        new(new ArgumentException($"Node {_observer} knows no peer '{peerId}'.", nameof(peerId)));

    private void Create(string id, PeerInfo info)
    {
        var child = _context.ActorOf(PeerStateActor.Props(_observer, info), PeerStateActor.ActorName(id));
        _context.Watch(child);
        _children[id] = child;
    }
}
