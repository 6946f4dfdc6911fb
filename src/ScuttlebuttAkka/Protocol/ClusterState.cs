namespace ScuttlebuttAkka.Protocol;

/// <summary>
/// One node's view of the whole cluster (itself included) and the Scuttlebutt reconciliation on it: digests,
/// budgeted scuttle-depth deltas, and their application. Plain data and functions: no threads, no I/O, no Akka;
/// time and randomness come in as arguments so a test drives it deterministically.
/// </summary>
public sealed class ClusterState
{
    private readonly Dictionary<string, NodeState> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Remembered> _removed = new(StringComparer.Ordinal);

    // Scratch lists reused across calls: building a message must not allocate per node on the hot path.
    private readonly List<Candidate> _candidates = new();
    private readonly List<DigestEntry> _scratchEntries = new();

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
    }

    /// <summary>The limits this view enforces.</summary>
    public ProtocolLimits Limits { get; }

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
        if (!Self.TryGet(key, out _) && Self.Count >= Limits.MaxKeysPerNode)
            throw new InvalidOperationException($"This node already holds {Limits.MaxKeysPerNode} keys (tombstones included); delete keys or raise MaxKeysPerNode.");
        return Self.SetOwned(key, value, expiresAtMs);
    }

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
    /// so gossip about that incarnation cannot bring it back. A newer incarnation may still join.
    /// </summary>
    public bool Remove(string nodeId, long rememberUntilMs)
    {
        if (nodeId == SelfId || !_nodes.Remove(nodeId, out var state))
            return false;
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

    /// <summary>Whether the view refuses gossip about incarnation <paramref name="generation"/> of <paramref name="nodeId"/> because it removed it.</summary>
    public bool IsRemoved(string nodeId, long generation) =>
        _removed.TryGetValue(nodeId, out var r) && generation <= r.Generation;

    // ---------------------------------------------------------------- digests

    /// <summary>
    /// A digest of the view in at most <paramref name="budgetBytes"/> bytes of encoded message. When every node fits the
    /// digest is complete; otherwise it holds this node and a uniformly random subset of the others.
    /// </summary>
    public Digest BuildDigest(int budgetBytes, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var body = CheckBudget(budgetBytes) - WireFormat.HeaderSize;
        _scratchEntries.Clear();
        var total = 0;
        foreach (var n in _nodes.Values)
        {
            var e = EntryOf(n);
            _scratchEntries.Add(e);
            total += WireFormat.DigestEntrySize(e);
        }

        if (total + WireFormat.DigestOverhead(_scratchEntries.Count) <= body)
            return new Digest(_scratchEntries.ToArray(), IsComplete: true);

        // Partial: self first (so the receiver always hears our heartbeat), then a random sample that fits.
        var selected = new List<DigestEntry>();
        var used = 1; // flags byte
        var self = EntryOf(Self);
        used += WireFormat.DigestEntrySize(self);
        selected.Add(self);
        var entries = _scratchEntries;
        for (var i = 0; i < entries.Count; i++)
        {
            // Lazy Fisher-Yates: draw the next element of a random permutation only as long as entries still fit.
            var j = random.Next(i, entries.Count);
            (entries[i], entries[j]) = (entries[j], entries[i]);
            var e = entries[i];
            if (e.NodeId == SelfId)
                continue;
            var size = WireFormat.DigestEntrySize(e);
            var countGrowth = WireFormat.VarIntSize((ulong)selected.Count + 1) - WireFormat.VarIntSize((ulong)selected.Count);
            if (used + WireFormat.VarIntSize((ulong)selected.Count) + size + countGrowth > body)
                continue; // a shorter id later may still fit
            used += size;
            selected.Add(e);
            if (body - used < 8)
                break;
        }

        return new Digest(selected, IsComplete: false);
    }

    private static DigestEntry EntryOf(NodeState n) => new(n.NodeId, n.Generation, n.Heartbeat, n.MaxVersion);

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
    /// request (within <paramref name="replyBudget"/>, which callers shrink for unknown senders), a
    /// <see cref="DeltaMessage"/> to a response (within <paramref name="fullBudget"/>), nothing to a delta or a leave.
    /// The one dispatch both the actor runtime and the simulator use.
    /// </summary>
    public GossipMessage? Receive(GossipMessage message, int replyBudget, int fullBudget, long nowMs, Random random, ApplyReport report)
    {
        ArgumentNullException.ThrowIfNull(message);
        switch (message)
        {
            case DigestRequest request:
                return HandleDigestRequest(request.Digest, replyBudget, random, report);
            case DigestResponse response:
                return HandleDigestResponse(response, fullBudget, nowMs, random, report);
            case DeltaMessage delta:
                ApplyDelta(delta.Delta, nowMs, report);
                return null;
            case LeaveMessage leave:
                ApplyLeave(leave, report);
                return null;
            default:
                throw new ArgumentException($"Unknown message type {message.GetType().Name}.", nameof(message));
        }
    }

    /// <summary>
    /// The reply budget for a request of <paramref name="requestBytes"/> bytes: the full budget for a known peer, and for
    /// an unknown sender at most twice its datagram (never below <see cref="WireFormat.MinimumBudget"/>), so a small
    /// spoofed datagram cannot turn this node into an amplifier.
    /// </summary>
    public static int ReplyBudget(bool senderKnown, int requestBytes, int fullBudget) =>
        senderKnown ? fullBudget : Math.Clamp(2 * requestBytes, WireFormat.MinimumBudget, fullBudget);

    /// <summary>
    /// Step 2 (B receiving A's digest): takes A's newer heartbeats, and answers with the pairs A lacks plus a digest of
    /// the nodes where A knows more than this view (or where this view has newer heartbeats), within the budget.
    /// </summary>
    public DigestResponse HandleDigestRequest(Digest remote, int budgetBytes, Random random, ApplyReport report)
    {
        ArgumentNullException.ThrowIfNull(remote);
        var body = CheckBudget(budgetBytes) - WireFormat.HeaderSize;
        ObserveHeartbeats(remote, report);

        var wanted = new List<DigestEntry>();
        var fresher = new List<DigestEntry>();
        _candidates.Clear();
        HashSet<string>? mentioned = remote.IsComplete ? new HashSet<string>(StringComparer.Ordinal) : null;
        var newNodesRequested = 0;
        foreach (var e in remote.Entries)
        {
            mentioned?.Add(e.NodeId);
            if (_nodes.TryGetValue(e.NodeId, out var n))
            {
                if (e.Generation > n.Generation || (e.Generation == n.Generation && e.MaxVersion > n.MaxVersion))
                {
                    if (n != Self)
                        wanted.Add(EntryOf(n));
                    else
                        report.AboutSelf++;
                }
                else if (e.Generation < n.Generation || e.MaxVersion < n.MaxVersion)
                {
                    AddCandidate(n, e.Generation, e.MaxVersion);
                }
                else if (n.Heartbeat > e.Heartbeat)
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

        if (mentioned is not null)
        {
            // A complete digest that omits a node we know means A has never heard of it.
            foreach (var n in _nodes.Values)
            {
                if (!mentioned.Contains(n.NodeId))
                    AddCandidate(n, 0, 0);
            }
        }

        // The reply digest gets at most half the room when there are pairs to send, so both directions progress.
        var digestRoom = _candidates.Count > 0 ? body / 2 : body;
        var replyDigest = FillDigest(wanted, fresher, digestRoom, random);
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
        HashSet<string>? mentioned = remote.IsComplete ? new HashSet<string>(StringComparer.Ordinal) : null;
        foreach (var e in remote.Entries)
        {
            mentioned?.Add(e.NodeId);
            if (_nodes.TryGetValue(e.NodeId, out var n)
                && (e.Generation < n.Generation || (e.Generation == n.Generation && e.MaxVersion < n.MaxVersion)))
                AddCandidate(n, e.Generation, e.MaxVersion);
        }

        if (mentioned is not null)
        {
            foreach (var n in _nodes.Values)
            {
                if (!mentioned.Contains(n.NodeId))
                    AddCandidate(n, 0, 0);
            }
        }

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
            _candidates.Add(new Candidate(Self, Self.Generation, Math.Max(0, fromVersion)));
        return FillDelta(body, random);
    }

    /// <summary>Queues node <paramref name="n"/> for a delta to a peer holding it at the given generation and version (0: never heard of it).</summary>
    private void AddCandidate(NodeState n, long remoteGeneration, long remoteVersion)
    {
        if (remoteGeneration == 0 && n != Self && (n.IsDown || n.LeaveAnnounced))
            return; // not introduced: see SetDown
        _candidates.Add(new Candidate(n, remoteGeneration, remoteVersion));
    }

    private Digest FillDigest(List<DigestEntry> wanted, List<DigestEntry> fresher, int room, Random random)
    {
        var entries = new List<DigestEntry>(wanted.Count + fresher.Count);
        var used = 1 + WireFormat.VarIntSize(0UL);
        // Requests first (they unblock data flowing to us), then heartbeat news; each group in random order when it
        // does not all fit, so that nothing is starved round after round.
        Add(wanted);
        Add(fresher);
        return new Digest(entries, IsComplete: false);

        void Add(List<DigestEntry> group)
        {
            for (var i = 0; i < group.Count; i++)
            {
                var j = random.Next(i, group.Count);
                (group[i], group[j]) = (group[j], group[i]);
                var size = WireFormat.DigestEntrySize(group[i]);
                var growth = WireFormat.VarIntSize((ulong)entries.Count + 1) - WireFormat.VarIntSize((ulong)entries.Count);
                if (used + size + growth > room)
                    continue;
                used += size + growth;
                entries.Add(group[i]);
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
            // A receiver starting from scratch must also learn the watermark: else it would claim every version up to
            // the maximum, collected tombstones included, and later let a stale peer skip those deletes.
            var reset = sameGeneration ? c.RemoteVersion < c.Node.GcWatermark : c.Node.GcWatermark > 0;
            var from = sameGeneration && !reset ? c.RemoteVersion : 0;
            var depth = c.Node.CountNewerThan(from);
            _candidates[i] = c with { From = from, Reset = reset, Depth = depth, Introduce = !sameGeneration };
        }

        for (var i = _candidates.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (_candidates[i], _candidates[j]) = (_candidates[j], _candidates[i]);
        }

        // Stable by construction: List.Sort is not stable, so break ties on the shuffled position.
        var order = new int[_candidates.Count];
        for (var i = 0; i < order.Length; i++)
            order[i] = i;
        var cands = _candidates;
        Array.Sort(order, (a, b) =>
        {
            var byDepth = cands[b].Depth.CompareTo(cands[a].Depth);
            return byDepth != 0 ? byDepth : a.CompareTo(b);
        });

        var nodes = new List<NodeDelta>();
        var used = WireFormat.VarIntSize(0UL);
        foreach (var index in order)
        {
            var c = cands[index];
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
            if (pairs.Count == 0 && !c.Introduce && !c.Reset && last <= c.From)
                break; // not even one pair fits: nothing useful to say about this node in this message
            nodes.Add(new NodeDelta(n.NodeId, n.Generation, address, n.Heartbeat, c.From, last, c.Reset, c.Reset ? Math.Min(n.GcWatermark, last) : 0, pairs));
            used += growth + WireFormat.NodeDeltaSize(nodes[^1]) ;
            if (!complete)
                break;
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
            _removed.Remove(d.NodeId);
            report.Changes.Add(new NodeDiscovered(d.NodeId, d.Generation, d.Address));
            report.Arrived.Add(d.NodeId);
            ApplyPairs(n, d, nowMs, report);
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
            ApplyPairs(n, d, nowMs, report);
            return;
        }

        if (d.IsReset && n.MaxVersion < d.GcWatermark)
        {
            // Tombstones we would need were collected: replace our copy, reporting keys that vanished.
            var before = n.Pairs.Where(p => !p.Value.IsDeleted).Select(p => p.Key).ToList();
            n.ClearPairs();
            ApplyPairs(n, d, nowMs, report);
            foreach (var key in before)
            {
                if (!n.TryGet(key, out var now) || now.IsDeleted)
                {
                    if (!ReservedKeys.IsReserved(key))
                        report.Changes.Add(new KeyDeleted(n.NodeId, key, d.LastVersion));
                }
            }

            n.RaiseWatermark(d.GcWatermark);
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

        ApplyPairs(n, d, nowMs, report);
    }

    private void ApplyPairs(NodeState n, NodeDelta d, long nowMs, ApplyReport report)
    {
        var reached = n.MaxVersion;
        var cut = false;
        foreach (var p in d.Pairs)
        {
            if (p.Version <= n.MaxVersion)
                continue; // already held (the delta overlaps what we had)
            if (!n.TryGet(p.Key, out var existing) && n.Count >= Limits.MaxKeysPerNode)
            {
                // Stop here: applying later pairs would leave a hole below our claimed version.
                report.OverKeyLimit++;
                cut = true;
                break;
            }

            var hadLive = n.TryGet(p.Key, out existing) && !existing.IsDeleted;
            if (n.ApplyRemote(p, nowMs))
            {
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
            }

            reached = p.Version;
        }

        n.AdvanceTo(cut ? reached : d.LastVersion);
        if (d.IsReset && !cut)
            n.RaiseWatermark(d.GcWatermark);
        AdvanceHeartbeat(n, d.Heartbeat, report);
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
        if (d.IsReset && (d.FromVersion != 0 || d.GcWatermark < 0 || d.GcWatermark > d.LastVersion))
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

    private readonly record struct Candidate(NodeState Node, long RemoteGeneration, long RemoteVersion)
    {
        public long From { get; init; }

        public bool Reset { get; init; }

        public int Depth { get; init; }

        public bool Introduce { get; init; }
    }
}
