using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Protocol.State;

/// <summary>
/// One node's view of the whole cluster (itself included) and the Scuttlebutt reconciliation on it: digests,
/// budgeted scuttle-depth deltas, and their application. Plain data and functions: no threads, no I/O, no Akka;
/// time and randomness come in as arguments so a test drives it deterministically.
/// </summary>
public sealed class ClusterState
{
    private readonly Dictionary<string, NodeState> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Remembered> _removed = new(StringComparer.Ordinal);

    // The same nodes as _nodes, indexable, so a partial digest can sample them without copying them all.
    private readonly List<NodeState> _nodeList = new();

    // Where the round-robin part of the next partial digest starts (see BuildDigest).
    private int _sampleCursor;

    // Scratch reused across calls: building a message must not allocate per node on the hot path.
    private readonly List<Candidate> _candidates = new();
    private readonly PriorityQueue<int, long> _byDepth = new();
    private readonly List<DigestEntry> _selected = new();
    private readonly List<int> _movable = new();
    private readonly List<DigestEntry> _wanted = new();
    private readonly List<DigestEntry> _fresher = new();
    private readonly List<DigestEntry> _news = new();
    private int _digestMark;
    private int _pickMark;

    // The nodes whose copies had news (a newer version or incarnation arrived, or a peer's digest showed this view is
    // behind on them), newest first. A partial digest names the recent ones before it goes on round the view, and a reply
    // digest passes them on, so news spreads like a rumour in a few rounds instead of waiting for the round-robin to
    // pick it (which, at thousands of nodes, takes rounds in proportion to the cluster size).
    private NodeState? _newestNews;
    private long _digestsBuilt;

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

    /// <summary>How many removed nodes are still remembered.</summary>
    public int RememberedCount => _removed.Count;

    /// <summary>Looks up a known node.</summary>
    public bool TryGetNode(string nodeId, out NodeState state) => _nodes.TryGetValue(nodeId, out state!);

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
    public long SetSuspicion(string peerId, long generation, bool suspect, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(peerId);
        var key = ReservedKeys.Suspicion(peerId);
        var exists = Self.TryGet(key, out var existing);
        var held = exists && !existing.IsDeleted;
        if (!suspect)
            return held ? Self.DeleteOwned(key, nowMs) : 0;
        var value = SuspicionValue(peerId, generation);
        if (held && existing.Value == value)
            return 0;
        if (key.Length > Limits.MaxKeyBytes || System.Text.Encoding.UTF8.GetByteCount(value) > Limits.MaxValueBytes)
            return 0;
        if (!exists && Self.Count >= Limits.MaxKeysPerNode)
            return 0;
        return Self.SetOwned(key, value, null);
    }

    /// <summary>
    /// How many nodes other than this one and <paramref name="peerId"/> say they suspect incarnation
    /// <paramref name="generation"/> of it (see <see cref="SetSuspicion"/>), counting only those
    /// <paramref name="countable"/> accepts (the caller's live peers).
    /// </summary>
    public int CountSuspicions(string peerId, long generation, Func<string, bool> countable)
    {
        ArgumentNullException.ThrowIfNull(peerId);
        ArgumentNullException.ThrowIfNull(countable);
        var key = ReservedKeys.Suspicion(peerId);
        var value = SuspicionValue(peerId, generation);
        var count = 0;
        foreach (var n in _nodeList)
        {
            if (n == Self || n.NodeId == peerId || !n.TryGet(key, out var v) || v.IsDeleted || v.Value != value)
                continue;
            if (countable(n.NodeId))
                count++;
        }

        return count;
    }

    private static string SuspicionValue(string peerId, long generation) =>
        generation.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + peerId;

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
    private bool IsOverKeyLimit(NodeState n, string newKey) => n.Count >= Limits.MaxKeysPerNode && newKey != ReservedKeys.Left;

    // ---------------------------------------------------------------- housekeeping

    /// <summary>Collects tombstones older than <paramref name="tombstoneGraceMs"/> on every node, and forgets removed nodes past their memory; returns the tombstones collected.</summary>
    public int CollectGarbage(long nowMs, long tombstoneGraceMs)
    {
        var collected = 0;
        foreach (var node in _nodes.Values)
            collected += node.CollectTombstones(nowMs, tombstoneGraceMs);
        if (_removed.Count > 0)
        {
            List<string>? forget = null;
            foreach (var (id, r) in _removed)
            {
                if (r.UntilMs <= nowMs)
                    (forget ??= new()).Add(id);
            }

            if (forget is not null)
                foreach (var id in forget)
                    _removed.Remove(id);
        }

        return collected;
    }

    /// <summary>
    /// Removes a node (expired after failing or leaving) and remembers its generation until <paramref name="rememberUntilMs"/>,
    /// so gossip about that incarnation cannot bring it back. A newer incarnation may still join. At most
    /// <see cref="ProtocolLimits.MaxNodes"/> removed nodes are remembered; past that the one forgotten soonest goes first.
    /// </summary>
    public bool Remove(string nodeId, long rememberUntilMs)
    {
        if (nodeId == SelfId || !_nodes.Remove(nodeId, out var state))
            return false;
        _nodeList.Remove(state);
        Unlink(state);
        if (_removed.Count >= Limits.MaxNodes && !_removed.ContainsKey(nodeId))
            ForgetSoonestRemoved();
        _removed[nodeId] = new Remembered(state.Generation, rememberUntilMs);
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

    // Invented nodes can be introduced, die and be removed over and over, so the memory of removed nodes needs a cap
    // of its own. A linear scan is fine: it runs only when the cap is reached, once per removal.
    private void ForgetSoonestRemoved()
    {
        string? soonest = null;
        var soonestUntil = long.MaxValue;
        foreach (var (id, r) in _removed)
        {
            if (soonest is null || r.UntilMs < soonestUntil)
            {
                soonest = id;
                soonestUntil = r.UntilMs;
            }
        }

        if (soonest is not null)
            _removed.Remove(soonest);
    }

    /// <summary>Whether the view refuses gossip about incarnation <paramref name="generation"/> of <paramref name="nodeId"/> because it removed it.</summary>
    public bool IsRemoved(string nodeId, long generation) =>
        _removed.TryGetValue(nodeId, out var r) && generation <= r.Generation;

    // ---------------------------------------------------------------- digests

    /// <summary>
    /// Whether the last digest <see cref="BuildDigest"/> made named every node (true before the first): then every
    /// exchange carries every heartbeat, and nodes that miss a peer do so independently of one another.
    /// </summary>
    public bool DigestsComplete { get; private set; } = true;

    /// <summary>
    /// A digest of the view in at most <paramref name="budgetBytes"/> bytes of encoded message. When every node fits the
    /// digest is complete; otherwise it holds this node, the nodes with recent news (see docs/protocol.md), and as many of the rest as fit, continuing round the view from where the last digest stopped.
    /// </summary>
    public Digest BuildDigest(int budgetBytes, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var body = CheckBudget(budgetBytes) - WireFormat.HeaderSize;
        _digestsBuilt++;
        var total = 0;
        var watermarks = 0;
        for (var i = 0; i < _nodeList.Count && total <= body; i++)
        {
            var n = _nodeList[i];
            total += EntrySize(n, i == 0 ? null : Self.Generation) + (ReportedWatermark(n) > 0 ? WatermarkSize(n, i, ref watermarks) : 0);
        }

        if (total + WireFormat.DigestOverhead(_nodeList.Count) + SectionCountSize(watermarks) <= body)
        {
            var all = new DigestEntry[_nodeList.Count];
            for (var i = 0; i < all.Length; i++)
                all[i] = EntryOf(_nodeList[i]);
            DigestsComplete = true;
            return new Digest(all, IsComplete: true);
        }

        DigestsComplete = false;

        // Partial: self first (so the receiver always hears our heartbeat), then recent news in up to a quarter of the body,
        // then the rest round the view.
        var selected = _selected;
        selected.Clear();
        var used = 1 + EntrySize(Self, null); // flags byte and our own entry (which never carries a watermark)
        if (used + WireFormat.VarIntSize(1UL) > body)
            throw new ArgumentOutOfRangeException(nameof(budgetBytes), budgetBytes, $"A datagram budget of {budgetBytes} bytes cannot hold this node's own digest entry ({EntrySize(Self, null)} bytes for id '{SelfId}'); raise the budget or shorten the node id.");
        selected.Add(EntryOf(Self));
        var pick = ++_pickMark;
        Self.PickMark = pick;
        watermarks = 0;
        var since = NewsSince();
        var newsRoom = body / 4; // the rest goes round the view and carries the heartbeats (docs/protocol.md)
        var newsMisses = 0;
        for (var n = _newestNews; n is not null && n.NewsAt >= since && newsRoom - used >= 8 && newsMisses < 16; n = n.OlderNews)
            newsMisses = TryPick(n, newsRoom, pick, ref used, ref watermarks) ? 0 : newsMisses + 1;

        // The rest of the room goes round the view: each partial digest continues where the last one stopped, so
        // every node is named once every N / (entries per digest) rounds, never much later. A random sample names a
        // given node as often on average, but its gaps are geometric, and the long ones starve that node's heartbeat
        // at peers that hear of it mostly through us (docs/protocol.md, "Partial digests").
        var count = _nodeList.Count;
        var start = _sampleCursor % count;
        var firstSampled = selected.Count;
        var misses = 0;
        var next = start;
        var firstMiss = -1;
        for (var k = 0; k < count; k++)
        {
            var i = (start + k) % count;
            next = (i + 1) % count;
            var n = _nodeList[i];
            if (n.PickMark == pick)
                continue; // ourselves, or news already named
            if (!TryPick(n, body, pick, ref used, ref watermarks))
            {
                // A shorter entry later may still fit, but after a run of misses the digest is as good as full. The
                // next digest starts at the first node that did not fit, so no node is passed over.
                if (firstMiss < 0)
                    firstMiss = i;
                if (++misses >= 16)
                {
                    next = firstMiss;
                    break;
                }

                continue;
            }

            misses = 0;
            if (body - used < 8)
            {
                next = firstMiss >= 0 ? firstMiss : next;
                break;
            }
        }

        _sampleCursor = next;

        // In random order, though: a receiver asks for at most a few unknown nodes per digest, in digest order, and
        // windows that repeat from cycle to cycle would otherwise leave the same nodes past that limit every time.
        // Entries with a watermark keep their places, since the watermark section's size depends on them.
        var movable = _movable;
        movable.Clear();
        for (var i = firstSampled; i < selected.Count; i++)
        {
            if (selected[i].GcWatermark == 0)
                movable.Add(i);
        }

        for (var k = 0; k < movable.Count - 1; k++)
        {
            var m = random.Next(k, movable.Count);
            (selected[movable[k]], selected[movable[m]]) = (selected[movable[m]], selected[movable[k]]);
        }

        return new Digest(selected.ToArray(), IsComplete: false);
    }

    // Adds n's entry to the partial digest being built in _selected when it fits in limit bytes of body.
    private bool TryPick(NodeState n, int limit, int pick, ref int used, ref int watermarks)
    {
        var index = _selected.Count;
        var wm = watermarks;
        var size = EntrySize(n, Self.Generation) + (ReportedWatermark(n) > 0 ? WatermarkSize(n, index, ref wm) : 0);
        // The entry count's varint, as it will be with this entry added.
        if (used + WireFormat.VarIntSize((ulong)index + 1) + size + SectionCountSize(wm) > limit)
            return false;
        used += size;
        watermarks = wm;
        _selected.Add(EntryOf(n));
        n.PickMark = pick;
        return true;
    }

    // News is passed on for this many of our own digests (about rounds): long enough for a rumour to reach every node
    // of a cluster this size, short enough that an idle cluster's digests go back to being purely random.
    private long NewsSince() => _digestsBuilt - ((2 * System.Numerics.BitOperations.Log2((uint)_nodeList.Count)) + 4);

    // Puts n at the head of the news list (see _newestNews).
    private void Touch(NodeState n)
    {
        if (n == Self)
            return;
        if (n.InNews)
        {
            if (n == _newestNews)
            {
                n.NewsAt = _digestsBuilt;
                return;
            }

            Unlink(n);
        }

        n.OlderNews = _newestNews;
        n.NewerNews = null;
        if (_newestNews is not null)
            _newestNews.NewerNews = n;
        _newestNews = n;
        n.InNews = true;
        n.NewsAt = _digestsBuilt;
    }

    private void Unlink(NodeState n)
    {
        if (!n.InNews)
            return;
        if (n.NewerNews is not null)
            n.NewerNews.OlderNews = n.OlderNews;
        else
            _newestNews = n.OlderNews;
        if (n.OlderNews is not null)
            n.OlderNews.NewerNews = n.NewerNews;
        n.NewerNews = n.OlderNews = null;
        n.InNews = false;
    }

    // A peer's digest entry shows it holds a newer incarnation or version of a node: that is news to pass on.
    private void NoteNews(in DigestEntry e, NodeState n)
    {
        if (e.Generation > n.Generation || (e.Generation == n.Generation && e.MaxVersion > n.MaxVersion))
            Touch(n);
    }

    // Our own entry always comes first, so every other entry's generation is written relative to ours.
    private static int EntrySize(NodeState n, long? firstGeneration) =>
        WireFormat.DigestEntrySize(n.NodeIdSize, n.Generation, n.Heartbeat, n.MaxVersion, firstGeneration);

    // The bytes a rebuilding copy's watermark takes at position index of a digest (counting it in watermarks).
    private static int WatermarkSize(NodeState n, int index, ref int watermarks)
    {
        watermarks++;
        return WireFormat.VarIntSize((ulong)index) + WireFormat.VarIntSize(n.GcWatermark - n.MaxVersion);
    }

    // The watermark section's count: absent when there are no watermarks.
    private static int SectionCountSize(int watermarks) => watermarks == 0 ? 0 : WireFormat.VarIntSize((ulong)watermarks);

    private static DigestEntry EntryOf(NodeState n) => new(n.NodeId, n.Generation, n.Heartbeat, n.MaxVersion, ReportedWatermark(n));

    // Only a copy being rebuilt (watermark above its max version) needs to tell peers its watermark; see DigestEntry.
    private static long ReportedWatermark(NodeState n) => n.GcWatermark > n.MaxVersion ? n.GcWatermark : 0;

    /// <summary>
    /// Whether this view's copy <paramref name="n"/> has pairs for a peer whose copy is described by <paramref name="e"/>,
    /// and may send them: a copy being rebuilt is free of deletions up to its watermark, and pairs from a copy that is
    /// not (one that is behind that watermark itself) could bring a deleted key back into it.
    /// </summary>
    private static bool CanFeed(NodeState n, in DigestEntry e)
    {
        if (e.Generation != n.Generation)
            return e.Generation < n.Generation;
        return e.MaxVersion < n.MaxVersion && Math.Max(n.MaxVersion, n.GcWatermark) >= e.GcWatermark;
    }

    /// <summary>Takes newer heartbeats from a digest; each advance is reported for the failure detector.</summary>
    public void ObserveHeartbeats(Digest digest, ApplyReport report)
    {
        ArgumentNullException.ThrowIfNull(digest);
        ArgumentNullException.ThrowIfNull(report);
        foreach (var e in digest.Entries)
        {
            if (e.NodeId == SelfId || !_nodes.TryGetValue(e.NodeId, out var n))
                continue;
            if (e.Generation == n.Generation)
                AdvanceHeartbeat(n, e.Heartbeat, report);
        }
    }

    // ---------------------------------------------------------------- the three steps

    /// <summary>
    /// Handles one received message and returns the reply to send back, if any: a <see cref="DigestResponse"/> to a
    /// request, a <see cref="DeltaMessage"/> to a response, nothing to a delta or a leave. Either reply fits
    /// <paramref name="replyBudget"/> (which callers shrink for unknown senders, see <see cref="ReplyBudget"/>),
    /// capped at <paramref name="fullBudget"/>. The one dispatch both the actor runtime and the simulator use.
    /// </summary>
    public GossipMessage? Receive(GossipMessage message, int replyBudget, int fullBudget, long nowMs, Random random, ApplyReport report)
    {
        ArgumentNullException.ThrowIfNull(message);
        // A response is not proof that we asked for it: anyone can send one, claiming any source address, and the
        // delta it asks for may be the whole view. So it gets the sender's budget too, not the full one.
        var budget = Math.Min(replyBudget, fullBudget);
        switch (message)
        {
            case DigestRequest request:
                return HandleDigestRequest(request.Digest, budget, random, report);
            case DigestResponse response:
                return HandleDigestResponse(response, budget, nowMs, random, report);
            case DeltaMessage delta:
                ApplyDelta(delta.Delta, nowMs, report);
                return null;
            case PushMessage push:
                ApplyDelta(push.Delta, nowMs, report);
                return null;
            case LeaveMessage leave:
                ApplyLeave(leave, report);
                return null;
            default:
                throw new ArgumentException($"Unknown message type {message.GetType().Name}.", nameof(message));
        }
    }

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
    public DigestResponse HandleDigestRequest(Digest remote, int budgetBytes, Random random, ApplyReport report)
    {
        ArgumentNullException.ThrowIfNull(remote);
        var body = CheckBudget(budgetBytes) - WireFormat.HeaderSize;
        ObserveHeartbeats(remote, report);

        var wanted = _wanted;
        var fresher = _fresher;
        wanted.Clear();
        fresher.Clear();
        _candidates.Clear();
        var mark = ++_digestMark;
        var newNodesRequested = 0;
        foreach (var e in remote.Entries)
        {
            if (_nodes.TryGetValue(e.NodeId, out var n))
            {
                n.DigestMark = mark;
                if (e.Generation > n.Generation || (e.Generation == n.Generation && e.MaxVersion > n.MaxVersion))
                {
                    Touch(n);
                    if (n == Self)
                        report.AboutSelf++;
                    else if (e.Generation > n.Generation || Math.Max(e.MaxVersion, e.GcWatermark) >= ReportedWatermark(n))
                        wanted.Add(EntryOf(n)); // A would not feed a copy cleaner than its own (see CanFeed): do not ask
                }
                else if (CanFeed(n, e))
                {
                    AddCandidate(n, e.Generation, e.MaxVersion, e.GcWatermark);
                }
                else if (e.Generation == n.Generation && n.Heartbeat > e.Heartbeat)
                {
                    fresher.Add(EntryOf(n));
                }
            }
            else if (e.Generation > 0)
            {
                if (IsRemoved(e.NodeId, e.Generation))
                    report.FromRemovedNode++;
                else if (_nodes.Count + newNodesRequested >= Limits.MaxNodes)
                    report.OverNodeLimit++;
                else
                {
                    // "Tell me about this node": generation 0 asks for it from the start, address included.
                    wanted.Add(new DigestEntry(e.NodeId, 0, 0, 0));
                    newNodesRequested++;
                }
            }
        }

        if (remote.IsComplete)
            AddUnmentioned(mark); // a complete digest that omits a node we know means A has never heard of it

        // The reply digest gets at most half the room when there are pairs to send, so both directions progress.
        // The delta's node count takes its byte even when there are no pairs to send.
        var digestRoom = _candidates.Count > 0 ? body / 2 : body - WireFormat.VarIntSize(0UL);
        var news = _news;
        news.Clear();
        if (!remote.IsComplete)
        {
            // Our recent news about nodes A did not name: A cannot ask for it in step 3, but it learns that it is
            // behind and names those nodes in its next digests, so whoever it gossips with next sends them.
            var since = NewsSince();
            // No entry takes fewer than 4 bytes, so more than this could never fit.
            for (var n = _newestNews; n is not null && n.NewsAt >= since && news.Count < digestRoom / 4; n = n.OlderNews)
            {
                if (n.DigestMark != mark)
                    news.Add(EntryOf(n));
            }
        }

        var replyDigest = FillDigest(wanted, news, fresher, digestRoom, random);
        var delta = FillDelta(body - WireFormat.DigestSize(replyDigest), random);
        return new DigestResponse(delta, replyDigest);
    }

    /// <summary>
    /// Step 3 (A receiving B's response): applies B's delta and heartbeats, then returns the delta B asked for, or
    /// null when B is missing nothing this view has.
    /// </summary>
    public DeltaMessage? HandleDigestResponse(DigestResponse response, int budgetBytes, long nowMs, Random random, ApplyReport report)
    {
        ArgumentNullException.ThrowIfNull(response);
        var body = CheckBudget(budgetBytes) - WireFormat.HeaderSize;
        ApplyDelta(response.Delta, nowMs, report);
        ObserveHeartbeats(response.Digest, report);
        foreach (var e in response.Digest.Entries)
        {
            if (e.NodeId != SelfId && _nodes.TryGetValue(e.NodeId, out var n))
                NoteNews(e, n);
        }

        var delta = BuildDelta(response.Digest, body, random);
        return delta.IsEmpty ? null : new DeltaMessage(delta);
    }

    /// <summary>
    /// The pairs a node with digest <paramref name="remote"/> lacks, within <paramref name="bodyBudget"/> bytes of
    /// encoded delta, scuttle-depth ordered. When the digest is complete, nodes it omits are sent whole.
    /// </summary>
    public Delta BuildDelta(Digest remote, int bodyBudget, Random random)
    {
        ArgumentNullException.ThrowIfNull(remote);
        _candidates.Clear();
        var mark = ++_digestMark;
        foreach (var e in remote.Entries)
        {
            if (!_nodes.TryGetValue(e.NodeId, out var n))
                continue;
            n.DigestMark = mark;
            if (CanFeed(n, e))
                AddCandidate(n, e.Generation, e.MaxVersion, e.GcWatermark);
        }

        if (remote.IsComplete)
            AddUnmentioned(mark);

        return FillDelta(bodyBudget, random);
    }

    /// <summary>
    /// This node's own pairs newer than <paramref name="fromVersion"/>, as a delta for an eager push: receivers that
    /// hold at least <paramref name="fromVersion"/> apply it at once; the rest reject it as a gap and catch up by gossip.
    /// </summary>
    public Delta BuildOwnDelta(long fromVersion, int budgetBytes, Random random)
    {
        var body = CheckBudget(budgetBytes) - WireFormat.HeaderSize;
        _candidates.Clear();
        if (fromVersion < Self.MaxVersion)
            _candidates.Add(new Candidate(Self, Self.Generation, Math.Max(0, fromVersion), 0));
        return FillDelta(body, random);
    }

    /// <summary>How many first-hand newcomers a node passes on by introduction push in one round (<see cref="BuildIntroductionDelta"/>).</summary>
    public const int IntroductionsPerRound = 4;

    /// <summary>
    /// Node <paramref name="nodeId"/>'s pairs from the start, as a delta for an introduction push: a node that has just
    /// heard from a newcomer first-hand passes it on at once, so the cluster learns of it in milliseconds rather than
    /// rounds. Empty when the node is unknown, down or leaving (such nodes are not introduced, see
    /// <see cref="SetDown"/>); what does not fit the budget follows by gossip.
    /// </summary>
    public Delta BuildIntroductionDelta(string nodeId, int budgetBytes, Random random)
    {
        ArgumentNullException.ThrowIfNull(nodeId);
        var body = CheckBudget(budgetBytes) - WireFormat.HeaderSize;
        _candidates.Clear();
        if (_nodes.TryGetValue(nodeId, out var n) && n != Self)
            AddCandidate(n, 0, 0, 0);
        return FillDelta(body, random);
    }

    /// <summary>Adds every node the last digest (marked <paramref name="mark"/>) did not name, to be sent whole.</summary>
    private void AddUnmentioned(int mark)
    {
        foreach (var n in _nodeList)
        {
            if (n.DigestMark != mark)
                AddCandidate(n, 0, 0, 0);
        }
    }

    /// <summary>Queues node <paramref name="n"/> for a delta to a peer holding it at the given generation and version (0: never heard of it).</summary>
    private void AddCandidate(NodeState n, long remoteGeneration, long remoteVersion, long remoteWatermark)
    {
        if (remoteGeneration == 0 && n != Self && (n.IsDown || n.LeaveAnnounced))
            return; // not introduced: see SetDown
        _candidates.Add(new Candidate(n, remoteGeneration, remoteVersion, remoteWatermark));
    }

    private Digest FillDigest(List<DigestEntry> wanted, List<DigestEntry> news, List<DigestEntry> fresher, int room, Random random)
    {
        var entries = _selected;
        entries.Clear();
        var used = 1 + WireFormat.VarIntSize(0UL);
        var watermarks = 0;
        // Requests first (they unblock data flowing to us), then our news newest first in up to half of what is left,
        // then heartbeat news; requests and heartbeats in random order when they do not all fit, so that nothing is
        // starved round after round.
        Add(wanted, room, shuffle: true);
        Add(news, used + ((room - used) / 2), shuffle: false);
        Add(fresher, room, shuffle: true);
        return new Digest(entries.ToArray(), IsComplete: false);

        void Add(List<DigestEntry> group, int limit, bool shuffle)
        {
            for (var i = 0; i < group.Count; i++)
            {
                if (shuffle)
                {
                    var j = random.Next(i, group.Count);
                    (group[i], group[j]) = (group[j], group[i]);
                }

                var e = group[i];
                var hasWatermark = WireFormat.HasWatermark(e);
                var size = WireFormat.DigestEntrySize(e, entries.Count == 0 ? null : entries[0].Generation) + WireFormat.DigestWatermarkSize(e, entries.Count)
                           + (hasWatermark ? SectionCountSize(watermarks + 1) - SectionCountSize(watermarks) : 0);
                var growth = WireFormat.VarIntSize((ulong)entries.Count + 1) - WireFormat.VarIntSize((ulong)entries.Count);
                if (used + size + growth > limit)
                {
                    if (!shuffle)
                        break; // news is newest first: what did not fit now is older still
                    continue;
                }

                used += size + growth;
                if (hasWatermark)
                    watermarks++;
                entries.Add(e);
            }
        }
    }

    /// <summary>Fills a delta from <see cref="_candidates"/>: most-behind nodes first, each node's pairs in ascending version order.</summary>
    private Delta FillDelta(int bodyBudget, Random random)
    {
        if (_candidates.Count == 0)
            return Delta.Empty;

        // Depth = how many pairs the receiver lacks. Shuffle first so that equal depths take turns across rounds.
        for (var i = 0; i < _candidates.Count; i++)
        {
            var c = _candidates[i];
            var sameGeneration = c.RemoteGeneration == c.Node.Generation;
            // A receiver behind our watermark may hold keys whose tombstones we collected, so it must rebuild from our
            // pairs; so must one that learns this incarnation from us, or it would not know those tombstones are gone.
            var reset = sameGeneration
                ? Math.Max(c.RemoteVersion, c.RemoteWatermark) < c.Node.GcWatermark
                : c.Node.GcWatermark > 0;
            var from = sameGeneration && !reset ? c.RemoteVersion : 0;
            var depth = c.Node.CountNewerThan(from);
            _candidates[i] = c with { From = from, Reset = reset, Depth = depth, Introduce = !sameGeneration };
        }

        if (DeltaOrdering == DeltaOrdering.Breadth)
            return FillBreadth(bodyBudget, random);

        // Deepest first, equal depths in random order so they take turns across rounds. A heap, since a delta usually
        // takes only the first few of many candidates: building it is linear, and only what is sent is popped.
        _byDepth.Clear();
        for (var i = 0; i < _candidates.Count; i++)
            _byDepth.Enqueue(i, ((long)-_candidates[i].Depth << 32) | (uint)random.Next());

        var nodes = new List<NodeDelta>();
        var used = WireFormat.VarIntSize(0UL);
        while (_byDepth.TryDequeue(out var index, out _))
        {
            var c = _candidates[index];
            var n = c.Node;
            var address = c.Introduce ? n.Address : null;
            var header = WireFormat.NodeDeltaHeaderSize(n.NodeId, n.Generation, address, n.Heartbeat, c.From, n.MaxVersion, c.Reset, n.GcWatermark);
            var growth = WireFormat.VarIntSize((ulong)nodes.Count + 1) - WireFormat.VarIntSize((ulong)nodes.Count);
            var pairCountSize = WireFormat.VarIntSize((ulong)c.Depth);
            if (used + growth + header + pairCountSize > bodyBudget)
            {
                if (bodyBudget - used < 16)
                    break;
                continue;
            }

            var room = bodyBudget - used - growth - header - pairCountSize;
            var start = n.FirstIndexAfter(c.From);
            var pairs = new List<KeyValueUpdate>(Math.Min(c.Depth, 64));
            var prev = c.From;
            var pairBytes = 0;
            for (var k = start; k < n.IndexedCount; k++)
            {
                var p = n.PairAt(k);
                var size = WireFormat.PairSize(p, prev);
                if (pairBytes + size > room)
                    break;
                pairBytes += size;
                pairs.Add(p);
                prev = p.Version;
            }

            var complete = pairs.Count == c.Depth;
            // A cut leaves the receiver a valid prefix: it may claim everything up to the last pair it got.
            var last = complete ? n.MaxVersion : prev;
            // Not even one pair fits: nothing useful to say about this node in this message (a reset without pairs would
            // only make the receiver drop what it holds).
            if (pairs.Count == 0 && !c.Introduce && last <= c.From)
                break;
            nodes.Add(new NodeDelta(n.NodeId, n.Generation, address, n.Heartbeat, c.From, last, c.Reset, c.Reset ? n.GcWatermark : 0, pairs));
            used += growth + WireFormat.NodeDeltaSize(nodes[^1]);
            if (!complete)
                break;
        }

        return nodes.Count == 0 ? Delta.Empty : new Delta(nodes);
    }

    /// <summary>
    /// Scuttle-breadth: repeatedly takes the lowest-versioned next pair of any candidate (ties in a random node order),
    /// so each node gets a prefix of what the receiver lacks; a node whose next pair does not fit takes no more.
    /// </summary>
    private Delta FillBreadth(int bodyBudget, Random random)
    {
        var count = _candidates.Count;
        var taken = new List<KeyValueUpdate>?[count];
        var next = new int[count];
        var ties = new int[count];
        var byVersion = new PriorityQueue<int, (long Version, int Tie)>();
        for (var i = 0; i < count; i++)
        {
            next[i] = _candidates[i].Node.FirstIndexAfter(_candidates[i].From);
            ties[i] = random.Next();
            // A candidate with nothing to send (an introduction only) goes first, as version 0.
            var version = next[i] < _candidates[i].Node.IndexedCount ? _candidates[i].Node.PairAt(next[i]).Version : 0;
            byVersion.Enqueue(i, (version, ties[i]));
        }

        var used = WireFormat.VarIntSize(0UL);
        var started = 0;
        var prev = new long[count];
        while (byVersion.TryDequeue(out var i, out _))
        {
            var c = _candidates[i];
            var n = c.Node;
            var cost = 0;
            if (taken[i] is null)
            {
                var address = c.Introduce ? n.Address : null;
                cost += WireFormat.VarIntSize((ulong)started + 1) - WireFormat.VarIntSize((ulong)started)
                        + WireFormat.NodeDeltaHeaderSize(n.NodeId, n.Generation, address, n.Heartbeat, c.From, n.MaxVersion, c.Reset, n.GcWatermark)
                        + WireFormat.VarIntSize((ulong)c.Depth);
                prev[i] = c.From;
            }

            var hasPair = next[i] < n.IndexedCount;
            var pair = hasPair ? n.PairAt(next[i]) : default;
            if (hasPair)
                cost += WireFormat.PairSize(pair, prev[i]);
            if (used + cost > bodyBudget)
            {
                if (bodyBudget - used < 16)
                    break;
                continue; // this node takes no more: a later pair without this one would leave a gap
            }

            if (taken[i] is null)
            {
                if (!hasPair && !c.Introduce)
                    continue;
                taken[i] = new List<KeyValueUpdate>();
                started++;
            }

            used += cost;
            if (!hasPair)
                continue;
            taken[i]!.Add(pair);
            prev[i] = pair.Version;
            next[i]++;
            if (next[i] < n.IndexedCount)
                byVersion.Enqueue(i, (n.PairAt(next[i]).Version, ties[i]));
        }

        var nodes = new List<NodeDelta>(started);
        for (var i = 0; i < count; i++)
        {
            if (taken[i] is not { } pairs)
                continue;
            var c = _candidates[i];
            var n = c.Node;
            var last = pairs.Count == c.Depth ? n.MaxVersion : pairs.Count > 0 ? pairs[^1].Version : c.From;
            if (pairs.Count == 0 && !c.Introduce && last <= c.From)
                continue;
            nodes.Add(new NodeDelta(n.NodeId, n.Generation, c.Introduce ? n.Address : null, n.Heartbeat, c.From, last, c.Reset, c.Reset ? n.GcWatermark : 0, pairs));
        }

        return nodes.Count == 0 ? Delta.Empty : new Delta(nodes);
    }

    private static int CheckBudget(int budgetBytes)
    {
        if (budgetBytes is < WireFormat.MinimumBudget or > WireFormat.MaximumBudget)
            throw new ArgumentOutOfRangeException(nameof(budgetBytes), budgetBytes, $"A datagram budget must be between {WireFormat.MinimumBudget} and {WireFormat.MaximumBudget} bytes.");
        return budgetBytes;
    }

    // ---------------------------------------------------------------- applying deltas

    /// <summary>
    /// Applies a delta. Never goes backwards: a node delta from an older incarnation, one with nothing newer, or one that
    /// would leave a gap is rejected and counted in <paramref name="report"/>; a newer incarnation replaces the old one.
    /// </summary>
    public void ApplyDelta(Delta delta, long nowMs, ApplyReport report)
    {
        ArgumentNullException.ThrowIfNull(delta);
        ArgumentNullException.ThrowIfNull(report);
        foreach (var d in delta.Nodes)
            ApplyNodeDelta(d, nowMs, report);
    }

    /// <summary>Applies a peer's direct leave announcement; reports <see cref="NodeLeft"/> once per incarnation.</summary>
    public bool ApplyLeave(LeaveMessage leave, ApplyReport report)
    {
        ArgumentNullException.ThrowIfNull(leave);
        if (leave.NodeId == SelfId || !_nodes.TryGetValue(leave.NodeId, out var n) || n.Generation != leave.Generation || n.LeaveAnnounced)
            return false;
        n.LeaveAnnounced = true;
        report.Changes.Add(new NodeLeft(n.NodeId, n.Generation));
        return true;
    }

    private void ApplyNodeDelta(NodeDelta d, long nowMs, ApplyReport report)
    {
        if (d.NodeId == SelfId)
        {
            report.AboutSelf++;
            return;
        }

        if (!IsWellFormed(d))
        {
            report.Malformed++;
            return;
        }

        if (IsRemoved(d.NodeId, d.Generation))
        {
            report.FromRemovedNode++;
            return;
        }

        if (!_nodes.TryGetValue(d.NodeId, out var n))
        {
            if (d.FromVersion != 0)
            {
                report.NonContiguous++;
                return;
            }

            if (d.Address is null)
            {
                report.UnknownWithoutAddress++;
                return;
            }

            if (_nodes.Count >= Limits.MaxNodes)
            {
                report.OverNodeLimit++;
                return;
            }

            n = new NodeState(d.NodeId, d.Generation, d.Address);
            _nodes.Add(d.NodeId, n);
            _nodeList.Add(n);
            _removed.Remove(d.NodeId);
            report.Changes.Add(new NodeDiscovered(d.NodeId, d.Generation, d.Address));
            report.Arrived.Add(d.NodeId);
            Touch(n);
            ApplyPairs(n, d, nowMs, report, newCopy: true);
            return;
        }

        if (d.Generation < n.Generation)
        {
            report.OldGeneration++;
            return;
        }

        if (d.Generation > n.Generation)
        {
            if (d.FromVersion != 0 || d.Address is null)
            {
                report.NonContiguous++;
                return;
            }

            var old = n.Generation;
            n.ResetTo(d.Generation, d.Address);
            n.LeaveAnnounced = false;
            report.Changes.Add(new NodeRestarted(d.NodeId, old, d.Generation, d.Address));
            report.Arrived.Add(d.NodeId);
            Touch(n);
            ApplyPairs(n, d, nowMs, report, newCopy: true);
            return;
        }

        if (d.IsReset && Math.Max(n.MaxVersion, n.GcWatermark) < d.GcWatermark)
        {
            Rebuild(n, d, nowMs, report);
            return;
        }

        if (d.FromVersion > n.MaxVersion)
        {
            report.NonContiguous++;
            AdvanceHeartbeat(n, d.Heartbeat, report);
            return;
        }

        if (d.LastVersion <= n.MaxVersion)
        {
            report.Stale++;
            AdvanceHeartbeat(n, d.Heartbeat, report);
            return;
        }

        ApplyPairs(n, d, nowMs, report, newCopy: false);
    }

    /// <summary>Applies the pairs above what <paramref name="n"/> holds (a contiguous continuation, or a new copy).</summary>
    private void ApplyPairs(NodeState n, NodeDelta d, long nowMs, ApplyReport report, bool newCopy)
    {
        var reached = n.MaxVersion;
        var before = n.MaxVersion;
        var cut = false;
        foreach (var p in d.Pairs)
        {
            if (p.Version <= n.MaxVersion)
                continue; // already held (the delta overlaps what we had)
            if (!ApplyPair(n, p, nowMs, report))
            {
                // Stop here: applying later pairs would leave a hole below our claimed version.
                cut = true;
                break;
            }

            reached = p.Version;
        }

        n.AdvanceTo(cut ? reached : d.LastVersion);
        if (n.MaxVersion > before)
            Touch(n);
        if (newCopy && d.IsReset)
            n.AdoptWatermark(d.GcWatermark); // built from a copy that lacks collected tombstones, so it lacks them too
        AdvanceHeartbeat(n, d.Heartbeat, report);
    }

    /// <summary>
    /// Rebuilds a copy that is behind the sender's watermark: keys the sender holds up to <see cref="NodeDelta.LastVersion"/>
    /// are kept or updated (never replaced by an older write), every other key is dropped, since it may have been deleted
    /// by a tombstone the sender collected, and the copy restarts at the delta's last version with the sender's
    /// watermark. When the delta was cut below what the copy held, the version goes down and later rounds continue
    /// from there without another reset (the digest carries the watermark while it is above the version).
    /// </summary>
    private void Rebuild(NodeState n, NodeDelta d, long nowMs, ApplyReport report)
    {
        var offered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in d.Pairs)
        {
            // Unlike a continuation, a rebuild offers versions this copy may hold; one held under another key (or a key
            // offered twice) cannot come from an honest peer, so the delta is refused before anything changes.
            if (!offered.Add(p.Key) || n.VersionHeldByOtherKey(p.Version, p.Key))
            {
                report.Malformed++;
                return;
            }
        }

        DropWhere(n, (key, held) => held.Version > d.LastVersion || !offered.Contains(key), d.LastVersion, report);

        var reached = 0L;
        var cut = false;
        foreach (var p in d.Pairs)
        {
            if (!ApplyPair(n, p, nowMs, report))
            {
                cut = true;
                break;
            }

            reached = p.Version;
        }

        if (cut)
            DropWhere(n, (_, held) => held.Version > reached, reached, report);
        n.RebuildTo(cut ? reached : d.LastVersion);
        n.AdoptWatermark(d.GcWatermark);
        Touch(n);
        AdvanceHeartbeat(n, d.Heartbeat, report);
    }

    private static void DropWhere(NodeState n, Func<string, VersionedValue, bool> drop, long version, ApplyReport report)
    {
        List<KeyValuePair<string, VersionedValue>>? dropped = null;
        foreach (var pair in n.Pairs)
        {
            if (drop(pair.Key, pair.Value))
                (dropped ??= new()).Add(pair);
        }

        if (dropped is null)
            return;
        foreach (var (key, held) in dropped)
        {
            n.Forget(key);
            if (!held.IsDeleted && !ReservedKeys.IsReserved(key))
                report.Changes.Add(new KeyDeleted(n.NodeId, key, version));
        }
    }

    /// <summary>Applies one pair if it is newer than the held one, reporting the change; false when the key limit refuses it.</summary>
    private bool ApplyPair(NodeState n, in KeyValueUpdate p, long nowMs, ApplyReport report)
    {
        var held = n.TryGet(p.Key, out var existing);
        if (!held && IsOverKeyLimit(n, p.Key))
        {
            report.OverKeyLimit++;
            return false;
        }

        var hadLive = held && !existing.IsDeleted;
        if (!n.ApplyRemote(p, nowMs))
            return true;
        if (p.IsDeleted)
        {
            if (hadLive && !ReservedKeys.IsReserved(p.Key))
                report.Changes.Add(new KeyDeleted(n.NodeId, p.Key, p.Version));
        }
        else if (p.Key == ReservedKeys.Left)
        {
            if (!n.LeaveAnnounced)
            {
                n.LeaveAnnounced = true;
                report.Changes.Add(new NodeLeft(n.NodeId, n.Generation));
            }
        }
        else if (!ReservedKeys.IsReserved(p.Key))
        {
            report.Changes.Add(new KeyUpdated(n.NodeId, p.Key, p.Value, p.Version));
        }

        if (ReservedKeys.IsSuspicion(p.Key))
            report.SuspicionsChanged = true;

        return true;
    }

    private static void AdvanceHeartbeat(NodeState n, long heartbeat, ApplyReport report)
    {
        if (heartbeat > n.Heartbeat)
        {
            n.Heartbeat = heartbeat;
            // One arrival per node per message: a second one (or the heartbeat of a node this message discovered or
            // restarted, which arrived through that change) would feed the failure detector a zero interval.
            if (report.Arrived.Add(n.NodeId))
                report.HeartbeatsAdvanced.Add(n.NodeId);
        }
    }

    private static bool IsWellFormed(NodeDelta d)
    {
        if (d.Generation <= 0 || d.FromVersion < 0 || d.LastVersion < d.FromVersion || d.Heartbeat < 0)
            return false;
        if (d.IsReset && (d.FromVersion != 0 || d.GcWatermark < 0))
            return false;
        var prev = d.FromVersion;
        foreach (var p in d.Pairs)
        {
            if (p.Version <= prev || p.Version > d.LastVersion || string.IsNullOrEmpty(p.Key))
                return false;
            prev = p.Version;
        }

        return true;
    }

    private readonly record struct Remembered(long Generation, long UntilMs);

    private readonly record struct Candidate(NodeState Node, long RemoteGeneration, long RemoteVersion, long RemoteWatermark)
    {
        public long From { get; init; }

        public bool Reset { get; init; }

        public int Depth { get; init; }

        public bool Introduce { get; init; }
    }
}
