namespace ScuttlebuttAkka.Protocol.State;

/// <summary>Something a view learned about a node while applying gossip; the runtime turns these into events.</summary>
/// <param name="NodeId">The node it is about.</param>
internal abstract record StateChange(string NodeId);

/// <summary>A node this view had not known.</summary>
/// <param name="NodeId">The node.</param>
/// <param name="Generation">Its incarnation.</param>
/// <param name="Address">Its gossip address.</param>
internal sealed record NodeDiscovered(string NodeId, long Generation, string Address) : StateChange(NodeId);

/// <summary>A known node came back as a newer incarnation; the old incarnation's pairs were dropped.</summary>
/// <param name="NodeId">The node.</param>
/// <param name="OldGeneration">The incarnation that was replaced.</param>
/// <param name="NewGeneration">The new incarnation.</param>
/// <param name="Address">The new incarnation's gossip address.</param>
internal sealed record NodeRestarted(string NodeId, long OldGeneration, long NewGeneration, string Address) : StateChange(NodeId);

/// <summary>A key of a node got a new value.</summary>
/// <param name="NodeId">The owner.</param>
/// <param name="Key">The key.</param>
/// <param name="Value">The new value.</param>
/// <param name="Version">The owner's version of the write.</param>
internal sealed record KeyUpdated(string NodeId, string Key, string Value, long Version) : StateChange(NodeId);

/// <summary>A key of a node was deleted (or expired).</summary>
/// <param name="NodeId">The owner.</param>
/// <param name="Key">The key.</param>
/// <param name="Version">The owner's version of the delete.</param>
internal sealed record KeyTombstoned(string NodeId, string Key, long Version) : StateChange(NodeId);

/// <summary>A node announced that it is leaving gracefully.</summary>
/// <param name="NodeId">The node.</param>
/// <param name="Generation">The incarnation that leaves.</param>
internal sealed record NodeLeft(string NodeId, long Generation) : StateChange(NodeId);
