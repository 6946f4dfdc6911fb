using ScuttlebuttAkka.Diagnostics;

namespace ScuttlebuttAkka.Actors;

/// <summary>Where a gossiper publishes its immutable view and statistics, so readers never need an actor round trip.</summary>
internal sealed class ViewHolder
{
    private ClusterView _view;
    private LocalAddress? _address;

    /// <summary>Creates the holder of node <paramref name="selfId"/>'s view.</summary>
    public ViewHolder(string selfId) => _view = ClusterView.Empty(selfId);

    /// <summary>The latest view; replaced whole (never mutated) by the gossiper.</summary>
    public ClusterView View
    {
        get => Volatile.Read(ref _view);
        internal set => Volatile.Write(ref _view, value);
    }

    /// <summary>
    /// Where the running incarnation listens and its generation; null until its socket is bound. A gossiper restarted by
    /// its supervisor (or a node that took a new generation) replaces it, so readers never see a stale incarnation.
    /// </summary>
    public LocalAddress? Address
    {
        get => Volatile.Read(ref _address);
        internal set => Volatile.Write(ref _address, value);
    }

    /// <summary>The node's traffic counters.</summary>
    public GossipStatistics Statistics { get; } = new();
}
