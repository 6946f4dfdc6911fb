using System.Collections.Immutable;
using ScuttlebuttAkka.Protocol;

namespace ScuttlebuttAkka;

/// <summary>What one node knows about one peer at a moment: identity, status and live keys.</summary>
/// <param name="PeerId">The peer.</param>
/// <param name="Generation">Its incarnation.</param>
/// <param name="Address">Its gossip address.</param>
/// <param name="Status">Alive, down or left.</param>
/// <param name="MaxVersion">The version up to which its state is known.</param>
/// <param name="Values">Its live keys (tombstones and protocol keys excluded).</param>
public sealed record PeerInfo(
    string PeerId,
    long Generation,
    string Address,
    PeerStatus Status,
    long MaxVersion,
    ImmutableDictionary<string, VersionedValue> Values);

/// <summary>An immutable snapshot of one node's view of the cluster, safe to read from any thread without a round trip.</summary>
/// <param name="NodeId">The (local) node whose view this is.</param>
/// <param name="Peers">Every known node, this one included, by id.</param>
public sealed record ClusterView(string NodeId, ImmutableDictionary<string, PeerInfo> Peers)
{
    /// <summary>An empty view.</summary>
    public static ClusterView Empty(string nodeId) => new(nodeId, ImmutableDictionary<string, PeerInfo>.Empty.WithComparers(StringComparer.Ordinal));

    /// <summary>Looks up a peer's live key; false when the peer or the key is unknown or deleted.</summary>
    public bool TryLookup(string peerId, string key, out string value)
    {
        if (Peers.TryGetValue(peerId, out var peer) && peer.Values.TryGetValue(key, out var v))
        {
            value = v.Value;
            return true;
        }

        value = "";
        return false;
    }

    /// <summary>Peers other than this node that are alive.</summary>
    public IEnumerable<PeerInfo> LivePeers => Peers.Values.Where(p => p.PeerId != NodeId && p.Status == PeerStatus.Alive);
}
