using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Protocol.State;

/// <summary>
/// One node's view of the whole cluster, itself included: the table of node copies, this node's own writes, and the
/// memory of removed nodes. The Scuttlebutt reconciliation on it lives beside it in <c>Reconciliation/</c>
/// (<see cref="DigestBuilder"/>, <see cref="DeltaBuilder"/>, <see cref="DeltaApplier"/>, <see cref="Exchange"/>); the
/// methods here that build or apply messages hand over to those. Plain data and functions: no threads, no I/O, no
/// Akka; time and randomness come in as arguments so a test drives it deterministically.
/// </summary>
internal sealed class ClusterState
{
    private readonly Dictionary<string, NodeState> _nodes = new(StringComparer.Ordinal);

    // The same nodes as _nodes, indexable, so a partial digest can walk them without copying them all.
    private readonly List<NodeState> _nodeList = new();
    private readonly RemovedNodes _removed;

    /// <summary>Creates the view of node <paramref name="selfId"/>, incarnation <paramref name="generation"/>, reachable at <paramref name="selfAddress"/>.</summary>
    public ClusterState(string selfId, long generation, string selfAddress, ProtocolLimits? limits = null)
    {
        ProtocolLimits.ValidateNodeId(selfId, nameof(selfId));
        ProtocolLimits.ValidateAddress(selfAddress, nameof(selfAddress));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(generation);
        Limits = limits ?? ProtocolLimits.Default;
        Limits.Validate();
        Self = new NodeState(selfId, generation, selfAddress);
        _nodes.Add(selfId, Self);
        _nodeList.Add(Self);
        _removed = new RemovedNodes(Limits.MaxNodes);
        News = new NewsList(Self);
        Digests = new DigestBuilder(this);
        Deltas = new DeltaBuilder(this);
        Applier = new DeltaApplier(this);
        Exchange = new Exchange(this);
    }

    /// <summary>The limits this view enforces.</summary>
    public ProtocolLimits Limits { get; }

    /// <summary>Which pairs a delta that cannot carry everything takes first; <see cref="DeltaOrdering.Depth"/> unless an experiment compares.</summary>
    public DeltaOrdering DeltaOrdering { get; set; } = DeltaOrdering.Depth;

    /// <summary>This node's own state, the only one it writes.</summary>
    public NodeState Self { get; }

    /// <summary>This node's id.</summary>
    public string SelfId => Self.NodeId;

    /// <summary>Every known node, this one included.</summary>
    public IReadOnlyDictionary<string, NodeState> Nodes => _nodes;

    /// <summary>How many removed incarnations the view keeps (see <see cref="Remove"/>).</summary>
    public int RememberedCount => _removed.Count;

    /// <summary>
    /// Whether the last digest <see cref="BuildDigest"/> made named every node (true before the first): then every
    /// exchange carries every heartbeat, and nodes that miss a peer do so independently of one another.
    /// </summary>
    public bool DigestsComplete => Digests.LastWasComplete;

    /// <summary>The known nodes in the order they joined the view (this one first), for walks that must not allocate.</summary>
    internal IReadOnlyList<NodeState> NodeList => _nodeList;

    internal NewsList News { get; }

    internal DigestBuilder Digests { get; }

    internal DeltaBuilder Deltas { get; }

    internal DeltaApplier Applier { get; }

    internal Exchange Exchange { get; }

    /// <summary>Looks up a known node.</summary>
    public bool TryGetNode(string nodeId, out NodeState state) => _nodes.TryGetValue(nodeId, out state!);

    /// <summary>Adds a copy of a node this view did not know (the caller checked the limits).</summary>
    internal NodeState AddNode(string nodeId, long generation, string address)
    {
        var n = new NodeState(nodeId, generation, address);
        _nodes.Add(nodeId, n);
        _nodeList.Add(n);
        _removed.Forget(nodeId);
        return n;
    }

    // ---------------------------------------------------------------- own writes

    /// <summary>Sets one of this node's keys; returns the version it got.</summary>
    public long Set(string key, string value, long nowMs, TimeSpan? timeToLive = null)
    {
        Limits.ValidateKey(key);
        Limits.ValidateValue(value);
        if (timeToLive is { } ttl && ttl <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(timeToLive), ttl, "A time to live must be positive.");
        return SetUnchecked(key, value, timeToLive is { } t ? nowMs + (long)t.TotalMilliseconds : null);
    }

    /// <summary>Deletes one of this node's keys, leaving a tombstone; returns its version, or 0 when the key did not exist.</summary>
    public long Delete(string key, long nowMs)
    {
        Limits.ValidateKey(key);
        return Self.DeleteOwned(key, nowMs);
    }

    /// <summary>Marks this node as leaving; the mark spreads like any write. Returns its version.</summary>
    public long MarkLeaving() => Self.HasLeft ? Self.MaxVersion : SetUnchecked(ReservedKeys.Left, "1", null);

    /// <summary>
    /// Says in this node's gossip that it suspects (or no longer suspects) incarnation <paramref name="generation"/>
    /// of <paramref name="peerId"/>, as a reserved pair (<see cref="ReservedKeys.Suspicion"/>). Returns the new
    /// version, or 0 when nothing changed (already said, nothing to clear, or the pair does not fit: no room under
    /// the key limit, or a key or value longer than the limits allow, which peers would refuse; a node that cannot
    /// say it simply does not corroborate). Peers count these with <see cref="CountSuspicions"/>.
    /// </summary>
    public long SetSuspicion(string peerId, long generation, bool suspect, long nowMs) =>
        SuspicionPairs.Set(this, peerId, generation, suspect, nowMs);

    /// <summary>
    /// How many nodes other than this one and <paramref name="peerId"/> say they suspect incarnation
    /// <paramref name="generation"/> of it (see <see cref="SetSuspicion"/>), counting only those
    /// <paramref name="countable"/> accepts (the caller's live peers).
    /// </summary>
    public int CountSuspicions(string peerId, long generation, Func<string, bool> countable) =>
        SuspicionPairs.Count(this, peerId, generation, countable);

    /// <summary>
    /// Makes this node incarnation <paramref name="generation"/> (above its own), its live keys written again from
    /// version 1: peers then replace what they hold of it wholesale, as after a restart.
    /// </summary>
    public void Reincarnate(long generation)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(generation, Self.Generation);
        Self.Reincarnate(generation);
    }

    /// <summary>Advances this node's heartbeat; call once per round.</summary>
    public long BumpHeartbeat() => ++Self.Heartbeat;

    /// <summary>Turns this node's keys whose time to live has passed into tombstones; returns the keys that expired.</summary>
    public IReadOnlyList<string> ExpireKeys(long nowMs)
    {
        var expired = Self.ExpiredKeys(nowMs);
        if (expired is null)
            return Array.Empty<string>();
        foreach (var key in expired)
            Self.DeleteOwned(key, nowMs);
        return expired;
    }

    private long SetUnchecked(string key, string value, long? expiresAtMs)
    {
        if (!Self.TryGet(key, out _) && IsOverKeyLimit(Self, key))
            throw new InvalidOperationException($"This node already holds {Limits.MaxKeysPerNode} keys (tombstones included); delete keys or raise MaxKeysPerNode.");
        return Self.SetOwned(key, value, expiresAtMs);
    }

    // The leave mark may always be added, so a node that filled its keys can still leave; one extra key is the cost.
    internal bool IsOverKeyLimit(NodeState n, string newKey) => n.Count >= Limits.MaxKeysPerNode && newKey != ReservedKeys.Left;

    // ---------------------------------------------------------------- housekeeping

    /// <summary>Collects tombstones older than <paramref name="tombstoneGraceMs"/> on every node, and ends the memories of removals past their deadline; returns the tombstones collected.</summary>
    public int CollectGarbage(long nowMs, long tombstoneGraceMs)
    {
        var collected = 0;
        foreach (var node in _nodeList)
            collected += node.CollectTombstones(nowMs, tombstoneGraceMs);
        _removed.Expire(nowMs);
        return collected;
    }

    /// <summary>
    /// Removes a node (expired after failing or leaving) and keeps its removal: until <paramref name="rememberUntilMs"/>
    /// gossip about that incarnation or an older one is refused; after that an older one still is, and the same one comes
    /// back only with a heartbeat newer than it had now (it ran after its removal). A newer incarnation may always join.
    /// At most <see cref="ProtocolLimits.MaxNodes"/> removals are kept; past that the oldest is forgotten.
    /// </summary>
    public bool Remove(string nodeId, long rememberUntilMs)
    {
        if (nodeId == SelfId || !_nodes.Remove(nodeId, out var state))
            return false;
        _nodeList.Remove(state);
        News.Unlink(state);
        _removed.Add(nodeId, state.Generation, state.Heartbeat, rememberUntilMs);
        return true;
    }

    /// <summary>
    /// Records the failure detector's verdict on <paramref name="nodeId"/>. A node judged down (or that announced its
    /// leave) is still gossiped to peers that know it, so its last state reaches them, but it is not introduced to
    /// peers that never heard of it: otherwise a dead node handed to each newcomer lives on for another detection and
    /// expiry there, and can be relayed from newcomer to newcomer until everyone's removal memory has lapsed and it
    /// comes back. Returns false when the node is unknown or is this node.
    /// </summary>
    public bool SetDown(string nodeId, bool down)
    {
        if (nodeId == SelfId || !_nodes.TryGetValue(nodeId, out var n))
            return false;
        n.IsDown = down;
        return true;
    }

    /// <summary>
    /// Whether the view refuses gossip about incarnation <paramref name="generation"/> of <paramref name="nodeId"/>,
    /// carrying heartbeat <paramref name="heartbeat"/> (none: stale news), because it removed it (see <see cref="Remove"/>).
    /// </summary>
    public bool IsRemoved(string nodeId, long generation, long heartbeat = 0) => _removed.Refuses(nodeId, generation, heartbeat);

    /// <summary>The newest generation of <paramref name="nodeId"/> the view removed and keeps; 0 when none.</summary>
    internal long RemovedGeneration(string nodeId) => _removed.GenerationOf(nodeId);

    // ---------------------------------------------------------------- messages (Reconciliation/)

    /// <summary>
    /// A digest of the view in at most <paramref name="budgetBytes"/> bytes of encoded message. When every node fits the
    /// digest is complete; otherwise it holds this node, the nodes with recent news (see docs/protocol.md), and as many
    /// of the rest as fit, continuing round the view from where the last digest stopped.
    /// </summary>
    public Digest BuildDigest(int budgetBytes, Random random) => Digests.Build(budgetBytes, random);

    /// <summary>Takes newer heartbeats from a digest; each advance is reported for the failure detector.</summary>
    public void ObserveHeartbeats(Digest digest, ApplyReport report) => Exchange.ObserveHeartbeats(digest, report);

    /// <summary>
    /// Handles one received message and returns the reply to send back, if any: a <see cref="DigestResponse"/> to a
    /// request, a <see cref="DeltaMessage"/> to a response, nothing to a delta or a leave. Either reply fits
    /// <paramref name="replyBudget"/> (which callers shrink for unknown senders, see <see cref="ReplyBudget"/>),
    /// capped at <paramref name="fullBudget"/>.
    /// </summary>
    public GossipMessage? Receive(GossipMessage message, int replyBudget, int fullBudget, long nowMs, Random random, ApplyReport report) =>
        Exchange.Receive(message, replyBudget, fullBudget, nowMs, random, report);

    /// <summary>
    /// The message budget of the reply to a datagram of <paramref name="requestBytes"/> bytes: the full budget for a
    /// known peer; for an unknown sender, twice its datagram less the <paramref name="envelopeBytes"/> the reply's
    /// encryption adds (never below <see cref="WireFormat.MinimumBudget"/>), so that a small spoofed or replayed
    /// datagram cannot turn this node into an amplifier. The reply datagram is then at most
    /// max(2 x request, <see cref="WireFormat.MinimumBudget"/> + envelope) bytes (docs/security.md, "No amplification").
    /// </summary>
    public static int ReplyBudget(bool senderKnown, int requestBytes, int fullBudget, int envelopeBytes = 0) =>
        senderKnown ? fullBudget : Math.Clamp((2 * requestBytes) - envelopeBytes, WireFormat.MinimumBudget, fullBudget);

    /// <summary>
    /// Step 2 (B receiving A's digest): takes A's newer heartbeats, and answers with the pairs A lacks plus a digest of
    /// the nodes where A knows more than this view (or where this view has newer heartbeats), within the budget.
    /// </summary>
    public DigestResponse HandleDigestRequest(Digest remote, int budgetBytes, Random random, ApplyReport report) =>
        Exchange.AnswerDigest(remote, budgetBytes, random, report);

    /// <summary>
    /// Step 3 (A receiving B's response): applies B's delta and heartbeats, then returns the delta B asked for, or
    /// null when B is missing nothing this view has.
    /// </summary>
    public DeltaMessage? HandleDigestResponse(DigestResponse response, int budgetBytes, long nowMs, Random random, ApplyReport report) =>
        Exchange.AnswerResponse(response, budgetBytes, nowMs, random, report);

    /// <summary>
    /// The pairs a node with digest <paramref name="remote"/> lacks, within <paramref name="bodyBudget"/> bytes of
    /// encoded delta, scuttle-depth ordered. When the digest is complete, nodes it omits are sent whole.
    /// </summary>
    public Delta BuildDelta(Digest remote, int bodyBudget, Random random) => Deltas.ForDigest(remote, bodyBudget, random);

    /// <summary>
    /// This node's own pairs newer than <paramref name="fromVersion"/>, as a delta for an eager push: receivers that
    /// hold at least <paramref name="fromVersion"/> apply it at once; the rest reject it as a gap and catch up by gossip.
    /// </summary>
    public Delta BuildOwnDelta(long fromVersion, int budgetBytes, Random random) =>
        Deltas.OwnSince(fromVersion, WireFormat.CheckBudget(budgetBytes) - WireFormat.HeaderSize, random);

    /// <summary>How many first-hand newcomers a node passes on by introduction push in one round (<see cref="BuildIntroductionDelta"/>).</summary>
    public const int IntroductionsPerRound = 4;

    /// <summary>
    /// Node <paramref name="nodeId"/>'s pairs from the start, as a delta for an introduction push: a node that has just
    /// heard from a newcomer first-hand passes it on at once, so the cluster learns of it in milliseconds rather than
    /// rounds. Empty when the node is unknown, down or leaving (such nodes are not introduced, see
    /// <see cref="SetDown"/>); what does not fit the budget follows by gossip.
    /// </summary>
    public Delta BuildIntroductionDelta(string nodeId, int budgetBytes, Random random) =>
        Deltas.Introduction(nodeId, WireFormat.CheckBudget(budgetBytes) - WireFormat.HeaderSize, random);

    /// <summary>
    /// Applies a delta. Never goes backwards: a node delta from an older incarnation, one with nothing newer, or one that
    /// would leave a gap is rejected and counted in <paramref name="report"/>; a newer incarnation replaces the old one.
    /// </summary>
    public void ApplyDelta(Delta delta, long nowMs, ApplyReport report) => Applier.Apply(delta, nowMs, report);

    /// <summary>Applies a peer's direct leave announcement; reports <see cref="NodeLeft"/> once per incarnation.</summary>
    public bool ApplyLeave(LeaveMessage leave, ApplyReport report) => Applier.ApplyLeave(leave, report);
}
