using ScuttlebuttAkka.Protocol.State;

namespace ScuttlebuttAkka.Protocol.Runtime;

/// <summary>
/// One node's peers by status, as the ids gossip targets are drawn from: the live ones and the down ones. Collected
/// from the view only after a peer was added, removed or changed status, which is rare next to rounds: rebuilding
/// them every round would cost every node a pass over every peer, every round.
/// </summary>
internal sealed class PeerRoster
{
    private readonly ClusterState _view;
    private bool _stale = true;

    public PeerRoster(ClusterState view) => _view = view;

    /// <summary>The live peers (this node excluded), current as of the last <see cref="Collect"/>.</summary>
    public List<string> Live { get; } = new();

    /// <summary>The peers judged down, current as of the last <see cref="Collect"/>.</summary>
    public List<string> Down { get; } = new();

    /// <summary>How many peers are alive now.</summary>
    public int LiveCount
    {
        get
        {
            Collect();
            return Live.Count;
        }
    }

    /// <summary>A peer was added or removed or changed status: collect again before the next use.</summary>
    public void Invalidate() => _stale = true;

    /// <summary>Brings <see cref="Live"/> and <see cref="Down"/> up to date.</summary>
    public void Collect()
    {
        if (!_stale)
            return;
        _stale = false;
        Live.Clear();
        Down.Clear();
        foreach (var n in _view.NodeList)
        {
            if (n == _view.Self)
                continue;
            var status = StatusOf(n);
            if (status == PeerStatus.Alive)
                Live.Add(n.NodeId);
            else if (status == PeerStatus.Down)
                Down.Add(n.NodeId);
        }
    }

    /// <summary>
    /// Where peer <paramref name="n"/> stands: its detector's status, or without a detector alive until it announced
    /// a leave.
    /// </summary>
    public static PeerStatus StatusOf(NodeState n) =>
        n.Liveness?.Status ?? (n.LeaveAnnounced ? PeerStatus.Left : PeerStatus.Alive);
}
