using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.State;

namespace ScuttlebuttAkka.Protocol.Wire;

/// <summary>A message of the gossip protocol, as it travels in one datagram.</summary>
internal abstract record GossipMessage;

/// <summary>Step 1 of a round (A to B): what A knows.</summary>
/// <param name="Digest">A's digest.</param>
internal sealed record DigestRequest(Digest Digest) : GossipMessage;

/// <summary>Step 2 of a round (B to A): what A is missing, and the nodes where A knows more than B.</summary>
/// <param name="Delta">The pairs A's digest shows it lacks.</param>
/// <param name="Digest">B's digest of only the nodes where A knows more, or where B has newer heartbeats.</param>
internal sealed record DigestResponse(Delta Delta, Digest Digest) : GossipMessage;

/// <summary>Step 3 of a round (A to B), and eager pushes: pairs the receiver is missing.</summary>
/// <param name="Delta">The pairs.</param>
internal sealed record DeltaMessage(Delta Delta) : GossipMessage;

/// <summary>A node announcing it is leaving, sent directly to its peers besides being gossiped as state.</summary>
/// <param name="NodeId">The node that leaves.</param>
/// <param name="Generation">Its incarnation, so an old announcement cannot mark a newer incarnation as left.</param>
internal sealed record LeaveMessage(string NodeId, long Generation) : GossipMessage;

/// <summary>
/// An eager push of fresh pairs, outside the rounds: a node that applies something new from it forwards it with one hop
/// fewer to a few live peers, so a write reaches most of the cluster within milliseconds; rounds repair the rest.
/// </summary>
/// <param name="HopsLeft">How many more times it may be forwarded (0 to <see cref="MaxHops"/>).</param>
/// <param name="Delta">The pairs.</param>
internal sealed record PushMessage(int HopsLeft, Delta Delta) : GossipMessage
{
    /// <summary>The largest hop budget a push may carry.</summary>
    public const int MaxHops = 32;

    /// <summary>A hop budget that lets an infection with the given fanout reach a cluster of <paramref name="nodes"/> nodes: log2(N) + 2, capped.</summary>
    public static int HopsFor(int nodes) => Math.Min(MaxHops, (int)Math.Ceiling(Math.Log2(Math.Max(2, nodes))) + 2);

    /// <summary>The push to forward after applying this one with <paramref name="report"/>; null when nothing new was applied or no hop is left.</summary>
    public PushMessage? NextHop(ApplyReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return HopsLeft > 0 && report.Changes.Count > 0 ? this with { HopsLeft = HopsLeft - 1 } : null;
    }
}
