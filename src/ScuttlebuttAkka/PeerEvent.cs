using ScuttlebuttAkka.Protocol.State;

namespace ScuttlebuttAkka;

/// <summary>
/// Membership and state events published to the EventStream. Subscribe to <see cref="PeerEvent"/> for all of them
/// or to one nested type. Each names the local node that observed it, so many nodes can share one ActorSystem.
/// </summary>
/// <param name="NodeId">The id of the local node that observed the change.</param>
/// <param name="PeerId">The peer the event is about.</param>
public abstract record PeerEvent(string NodeId, string PeerId)
{
    /// <summary>A peer became known for the first time.</summary>
    /// <param name="NodeId">The observing (local) node.</param>
    /// <param name="PeerId">The peer.</param>
    /// <param name="Generation">The peer's incarnation.</param>
    /// <param name="Address">The peer's gossip address.</param>
    public sealed record Joined(string NodeId, string PeerId, long Generation, string Address) : PeerEvent(NodeId, PeerId);

    /// <summary>A peer's key got a new value.</summary>
    /// <param name="NodeId">The observing (local) node.</param>
    /// <param name="PeerId">The peer.</param>
    /// <param name="Key">The key.</param>
    /// <param name="Value">The new value.</param>
    /// <param name="Version">The peer's version of the write.</param>
    public sealed record Updated(string NodeId, string PeerId, string Key, string Value, long Version) : PeerEvent(NodeId, PeerId);

    /// <summary>A peer's key was deleted or expired.</summary>
    /// <param name="NodeId">The observing (local) node.</param>
    /// <param name="PeerId">The peer.</param>
    /// <param name="Key">The key.</param>
    /// <param name="Version">The peer's version of the delete.</param>
    public sealed record KeyDeleted(string NodeId, string PeerId, string Key, long Version) : PeerEvent(NodeId, PeerId);

    /// <summary>
    /// The failure detector suspects the peer crashed or is unreachable: phi passed the threshold, or this node
    /// suspected the peer and <paramref name="CorroboratedBy"/> other live nodes suspected it too
    /// (docs/failure-detector.md, "Corroborated verdicts").
    /// </summary>
    /// <param name="NodeId">The observing (local) node.</param>
    /// <param name="PeerId">The peer.</param>
    /// <param name="Phi">The suspicion level when it was declared down (NaN in a replay of the current state).</param>
    /// <param name="CorroboratedBy">How many other nodes' suspicions made the verdict; 0 when phi alone passed the threshold.</param>
    public sealed record Down(string NodeId, string PeerId, double Phi, int CorroboratedBy = 0) : PeerEvent(NodeId, PeerId);

    /// <summary>A peer that was down is heard from again.</summary>
    /// <param name="NodeId">The observing (local) node.</param>
    /// <param name="PeerId">The peer.</param>
    public sealed record Up(string NodeId, string PeerId) : PeerEvent(NodeId, PeerId);

    /// <summary>A peer came back as a new incarnation; its old keys were dropped.</summary>
    /// <param name="NodeId">The observing (local) node.</param>
    /// <param name="PeerId">The peer.</param>
    /// <param name="OldGeneration">The replaced incarnation.</param>
    /// <param name="NewGeneration">The new incarnation.</param>
    /// <param name="Address">The new incarnation's gossip address.</param>
    public sealed record Restarted(string NodeId, string PeerId, long OldGeneration, long NewGeneration, string Address) : PeerEvent(NodeId, PeerId);

    /// <summary>A peer announced a graceful leave.</summary>
    /// <param name="NodeId">The observing (local) node.</param>
    /// <param name="PeerId">The peer.</param>
    /// <param name="Generation">The incarnation that left.</param>
    public sealed record Left(string NodeId, string PeerId, long Generation) : PeerEvent(NodeId, PeerId);

    /// <summary>A down or left peer expired and was forgotten.</summary>
    /// <param name="NodeId">The observing (local) node.</param>
    /// <param name="PeerId">The peer.</param>
    public sealed record Removed(string NodeId, string PeerId) : PeerEvent(NodeId, PeerId);
}
