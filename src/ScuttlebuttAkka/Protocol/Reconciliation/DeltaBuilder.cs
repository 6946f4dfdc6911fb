using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Protocol.Reconciliation;

/// <summary>
/// Builds one view's deltas within a byte budget: the nodes a peer lacks become candidates, and
/// <see cref="DeltaOrdering.Depth"/> (scuttle-depth: the node the peer lacks most of goes first, each node's pairs in
/// ascending version, cut at a pair boundary) or <see cref="DeltaOrdering.Breadth"/> picks what fits.
/// Either way the receiver holds a valid prefix of whatever node was cut (docs/protocol.md, "The invariant").
/// </summary>
internal sealed class DeltaBuilder
{
    private readonly ClusterState _view;

    // Scratch reused across calls: building a message must not allocate per node on the hot path.
    private readonly List<Candidate> _candidates = new();
    private readonly PriorityQueue<int, long> _byDepth = new();
    private int _digestMark;

    public DeltaBuilder(ClusterState view) => _view = view;

    /// <summary>Forgets the candidates of the last delta; call before adding the next one's.</summary>
    public void Clear() => _candidates.Clear();

    /// <summary>True when some candidate is queued.</summary>
    public bool HasCandidates => _candidates.Count > 0;

    /// <summary>
    /// A new mark for the nodes a digest names (<see cref="NodeState.DigestMark"/>): nodes left unmarked after reading a
    /// complete digest are unknown to its sender (<see cref="AddUnmentioned"/>).
    /// </summary>
    public int NextDigestMark() => ++_digestMark;

    /// <summary>The pairs a node with digest <paramref name="remote"/> lacks (see <see cref="ClusterState.BuildDelta"/>).</summary>
    public Delta ForDigest(Digest remote, int bodyBudget, Random random)
    {
        ArgumentNullException.ThrowIfNull(remote);
        _candidates.Clear();
        var mark = NextDigestMark();
        foreach (var e in remote.Entries)
        {
            if (!_view.TryGetNode(e.NodeId, out var n))
                continue;
            n.DigestMark = mark;
            if (CanFeed(n, e))
                AddCandidate(n, e.Generation, e.MaxVersion, e.GcWatermark);
        }

        if (remote.IsComplete)
            AddUnmentioned(mark);

        return Fill(bodyBudget, random);
    }

    /// <summary>This node's own pairs newer than <paramref name="fromVersion"/> (see <see cref="ClusterState.BuildOwnDelta"/>).</summary>
    public Delta OwnSince(long fromVersion, int bodyBudget, Random random)
    {
        var self = _view.Self;
        _candidates.Clear();
        if (fromVersion < self.MaxVersion)
            _candidates.Add(new Candidate(self, self.Generation, Math.Max(0, fromVersion), 0));
        return Fill(bodyBudget, random);
    }

    /// <summary>Node <paramref name="nodeId"/>'s pairs from the start (see <see cref="ClusterState.BuildIntroductionDelta"/>).</summary>
    public Delta Introduction(string nodeId, int bodyBudget, Random random)
    {
        ArgumentNullException.ThrowIfNull(nodeId);
        _candidates.Clear();
        if (_view.TryGetNode(nodeId, out var n) && n != _view.Self)
            AddCandidate(n, 0, 0, 0);
        return Fill(bodyBudget, random);
    }

    /// <summary>
    /// Whether this view's copy <paramref name="n"/> has pairs for a peer whose copy is described by <paramref name="e"/>,
    /// and may send them: a copy being rebuilt is free of deletions up to its watermark, and pairs from a copy that is
    /// not (one that is behind that watermark itself) could bring a deleted key back into it.
    /// </summary>
    public static bool CanFeed(NodeState n, in DigestEntry e)
    {
        if (e.Generation != n.Generation)
            return e.Generation < n.Generation;
        return e.MaxVersion < n.MaxVersion && Math.Max(n.MaxVersion, n.GcWatermark) >= e.GcWatermark;
    }

    /// <summary>Adds every node the last digest (marked <paramref name="mark"/>) did not name, to be sent whole.</summary>
    public void AddUnmentioned(int mark)
    {
        foreach (var n in _view.NodeList)
        {
            if (n.DigestMark != mark)
                AddCandidate(n, 0, 0, 0);
        }
    }

    /// <summary>Queues node <paramref name="n"/> for a delta to a peer holding it at the given generation and version (0: never heard of it).</summary>
    public void AddCandidate(NodeState n, long remoteGeneration, long remoteVersion, long remoteWatermark)
    {
        if (remoteGeneration == 0 && n != _view.Self && (n.IsDown || n.LeaveAnnounced))
            return; // not introduced: see ClusterState.SetDown
        _candidates.Add(new Candidate(n, remoteGeneration, remoteVersion, remoteWatermark));
    }

    /// <summary>Fills a delta from the queued candidates in the view's <see cref="ClusterState.DeltaOrdering"/>.</summary>
    public Delta Fill(int bodyBudget, Random random)
    {
        if (_candidates.Count == 0)
            return Delta.Empty;

        // Depth = how many pairs the receiver lacks.
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

        return _view.DeltaOrdering == DeltaOrdering.Breadth ? FillBreadth(bodyBudget, random) : FillDepth(bodyBudget, random);
    }

    /// <summary>Scuttle-depth: the deepest node first, its pairs in ascending version; the first node cut ends the delta.</summary>
    private Delta FillDepth(int bodyBudget, Random random)
    {
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

    private readonly record struct Candidate(NodeState Node, long RemoteGeneration, long RemoteVersion, long RemoteWatermark)
    {
        public long From { get; init; }

        public bool Reset { get; init; }

        public int Depth { get; init; }

        public bool Introduce { get; init; }
    }
}
