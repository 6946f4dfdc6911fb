namespace ScuttlebuttAkka.Protocol;

/// <summary>A message of the gossip protocol, as it travels in one datagram.</summary>
public abstract record GossipMessage;

/// <summary>Step 1 of a round (A to B): what A knows.</summary>
/// <param name="Digest">A's digest.</param>
public sealed record DigestRequest(Digest Digest) : GossipMessage;

/// <summary>Step 2 of a round (B to A): what A is missing, and the nodes where A knows more than B.</summary>
/// <param name="Delta">The pairs A's digest shows it lacks.</param>
/// <param name="Digest">B's digest of only the nodes where A knows more, or where B has newer heartbeats.</param>
public sealed record DigestResponse(Delta Delta, Digest Digest) : GossipMessage;

/// <summary>Step 3 of a round (A to B), and eager pushes: pairs the receiver is missing.</summary>
/// <param name="Delta">The pairs.</param>
public sealed record DeltaMessage(Delta Delta) : GossipMessage;

/// <summary>A node announcing it is leaving, sent directly to its peers besides being gossiped as state.</summary>
/// <param name="NodeId">The node that leaves.</param>
/// <param name="Generation">Its incarnation, so an old announcement cannot mark a newer incarnation as left.</param>
public sealed record LeaveMessage(string NodeId, long Generation) : GossipMessage;
