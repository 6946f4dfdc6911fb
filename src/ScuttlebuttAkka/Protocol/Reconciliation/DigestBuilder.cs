using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Protocol.Reconciliation;

/// <summary>
/// Builds one view's digests within a byte budget: step 1's digest (complete when every node fits; otherwise this
/// node, recent news and the rest round the view) and step 2's reply digest (requests, news, fresher heartbeats).
/// Every size is counted exactly as it will be encoded (<see cref="WireFormat"/>), so nothing is built twice.
/// </summary>
internal sealed class DigestBuilder
{
    private readonly ClusterState _view;

    // Scratch reused across calls: building a digest must not allocate per node on the hot path.
    private readonly List<DigestEntry> _selected = new();
    private readonly List<int> _movable = new();

    // Where the round-robin part of the next partial digest starts.
    private int _sampleCursor;
    private int _pickMark;

    public DigestBuilder(ClusterState view) => _view = view;

    /// <summary>
    /// Whether the last digest <see cref="Build"/> made named every node (true before the first): then every exchange
    /// carries every heartbeat, and nodes that miss a peer do so independently of one another.
    /// </summary>
    public bool LastWasComplete { get; private set; } = true;

    /// <summary>Step 1's digest in at most <paramref name="budgetBytes"/> bytes of encoded message (see <see cref="ClusterState.BuildDigest"/>).</summary>
    public Digest Build(int budgetBytes, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var nodes = _view.NodeList;
        var self = _view.Self;
        var body = WireFormat.CheckBudget(budgetBytes) - WireFormat.HeaderSize;
        _view.News.CountDigest();
        var total = 0;
        var watermarks = 0;
        for (var i = 0; i < nodes.Count && total <= body; i++)
        {
            var n = nodes[i];
            total += EntrySize(n, i == 0 ? null : self.Generation) + (ReportedWatermark(n) > 0 ? WatermarkSize(n, i, ref watermarks) : 0);
        }

        if (total + WireFormat.DigestOverhead(nodes.Count) + SectionCountSize(watermarks) <= body)
        {
            var all = new DigestEntry[nodes.Count];
            for (var i = 0; i < all.Length; i++)
                all[i] = EntryOf(nodes[i]);
            LastWasComplete = true;
            return new Digest(all, IsComplete: true);
        }

        LastWasComplete = false;

        // Partial: self first (so the receiver always hears our heartbeat), then recent news in up to a quarter of the
        // body, then the rest round the view.
        var selected = _selected;
        selected.Clear();
        var used = 1 + EntrySize(self, null); // flags byte and our own entry (which never carries a watermark)
        if (used + WireFormat.VarIntSize(1UL) > body)
            throw new ArgumentOutOfRangeException(nameof(budgetBytes), budgetBytes, $"A datagram budget of {budgetBytes} bytes cannot hold this node's own digest entry ({EntrySize(self, null)} bytes for id '{self.NodeId}'); raise the budget or shorten the node id.");
        selected.Add(EntryOf(self));
        var pick = ++_pickMark;
        self.PickMark = pick;
        watermarks = 0;
        var since = _view.News.Since(nodes.Count);
        var newsRoom = body / 4; // the rest goes round the view and carries the heartbeats (docs/protocol.md)
        var newsMisses = 0;
        for (var n = _view.News.Newest; n is not null && n.NewsAt >= since && newsRoom - used >= 8 && newsMisses < 16; n = n.OlderNews)
            newsMisses = TryPick(n, newsRoom, pick, ref used, ref watermarks) ? 0 : newsMisses + 1;

        // The rest of the room goes round the view: each partial digest continues where the last one stopped, so
        // every node is named once every N / (entries per digest) rounds, never much later. A random sample names a
        // given node as often on average, but its gaps are geometric, and the long ones starve that node's heartbeat
        // at peers that hear of it mostly through us (docs/protocol.md, "Partial digests").
        var count = nodes.Count;
        var start = _sampleCursor % count;
        var firstSampled = selected.Count;
        var misses = 0;
        var next = start;
        var firstMiss = -1;
        for (var k = 0; k < count; k++)
        {
            var i = (start + k) % count;
            next = (i + 1) % count;
            var n = nodes[i];
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

    /// <summary>
    /// Step 2's reply digest in <paramref name="room"/> bytes: requests first (they unblock data flowing to us), then
    /// our news newest first in up to half of what is left, then heartbeat news; requests and heartbeats in random order
    /// when they do not all fit, so that nothing is starved round after round.
    /// </summary>
    public Digest BuildReply(List<DigestEntry> wanted, List<DigestEntry> news, List<DigestEntry> fresher, int room, Random random)
    {
        var entries = _selected;
        entries.Clear();
        var used = 1 + WireFormat.VarIntSize(0UL);
        var watermarks = 0;
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

    /// <summary>The digest entry describing this view's copy <paramref name="n"/>.</summary>
    public static DigestEntry EntryOf(NodeState n) => new(n.NodeId, n.Generation, n.Heartbeat, n.MaxVersion, ReportedWatermark(n));

    /// <summary>Only a copy being rebuilt (watermark above its max version) tells peers its watermark; see <see cref="DigestEntry"/>.</summary>
    public static long ReportedWatermark(NodeState n) => n.GcWatermark > n.MaxVersion ? n.GcWatermark : 0;

    // Adds n's entry to the partial digest being built in _selected when it fits in limit bytes of body.
    private bool TryPick(NodeState n, int limit, int pick, ref int used, ref int watermarks)
    {
        var index = _selected.Count;
        var wm = watermarks;
        var size = EntrySize(n, _view.Self.Generation) + (ReportedWatermark(n) > 0 ? WatermarkSize(n, index, ref wm) : 0);
        // The entry count's varint, as it will be with this entry added.
        if (used + WireFormat.VarIntSize((ulong)index + 1) + size + SectionCountSize(wm) > limit)
            return false;
        used += size;
        watermarks = wm;
        _selected.Add(EntryOf(n));
        n.PickMark = pick;
        return true;
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
}
