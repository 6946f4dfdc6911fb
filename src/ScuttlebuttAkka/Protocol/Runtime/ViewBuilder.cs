using System.Collections.Immutable;
using ScuttlebuttAkka.Protocol.State;

namespace ScuttlebuttAkka.Protocol.Runtime;

/// <summary>
/// Keeps the immutable <see cref="ClusterView"/> readers on other threads see: one <see cref="PeerInfo"/> per node,
/// rebuilt when that node's copy, status or incarnation changes (never for a heartbeat alone), and a new snapshot at
/// the end of an input that changed any.
/// </summary>
internal sealed class ViewBuilder
{
    private readonly string _selfId;
    private readonly bool _enabled;
    private ImmutableDictionary<string, PeerInfo> _peers = ImmutableDictionary<string, PeerInfo>.Empty.WithComparers(StringComparer.Ordinal);
    private bool _changed;

    public ViewBuilder(string selfId, bool enabled)
    {
        _selfId = selfId;
        _enabled = enabled;
        View = ClusterView.Empty(selfId);
    }

    /// <summary>The latest snapshot.</summary>
    public ClusterView View { get; private set; }

    /// <summary>Rebuilds node <paramref name="id"/>'s entry from <paramref name="view"/> (removing it when the view no longer holds it).</summary>
    public void Refresh(ClusterState view, string id, RuntimeOutput output)
    {
        if (!_enabled)
            return;
        _changed = true;
        if (id != _selfId)
            output.ChangedPeer(id);
        if (!view.TryGetNode(id, out var node))
        {
            _peers = _peers.Remove(id);
            return;
        }

        var values = ImmutableDictionary.CreateBuilder<string, VersionedValue>(StringComparer.Ordinal);
        foreach (var (key, value) in node.Pairs)
        {
            if (!value.IsDeleted && !ReservedKeys.IsReserved(key))
                values[key] = value;
        }

        var status = id == _selfId
            ? (node.HasLeft ? PeerStatus.Left : PeerStatus.Alive)
            : PeerRoster.StatusOf(node);
        _peers = _peers.SetItem(id, new PeerInfo(id, node.Generation, node.Address, status, node.MaxVersion, values.ToImmutable()));
    }

    /// <summary>Makes a new snapshot when an entry changed since the last; true when it did.</summary>
    public bool Publish()
    {
        if (!_changed)
            return false;
        _changed = false;
        View = new ClusterView(_selfId, _peers);
        return true;
    }
}
