using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Protocol.Reconciliation;

/// <summary>
/// The three-step exchange of a round, as one view takes part in it: answering a digest (step 2), answering the
/// answer (step 3), and taking every other message in. See docs/protocol.md, "A round".
/// </summary>
internal sealed class Exchange
{
    private readonly ClusterState _view;

    // Scratch reused across calls.
    private readonly List<DigestEntry> _wanted = new();
    private readonly List<DigestEntry> _fresher = new();
    private readonly List<DigestEntry> _news = new();

    public Exchange(ClusterState view) => _view = view;

    /// <summary>Handles one received message and returns the reply, if any (see <see cref="ClusterState.Receive"/>).</summary>
    public GossipMessage? Receive(GossipMessage message, int replyBudget, int fullBudget, long nowMs, Random random, ApplyReport report)
    {
        ArgumentNullException.ThrowIfNull(message);
        // A response is not proof that we asked for it: anyone can send one, claiming any source address, and the
        // delta it asks for may be the whole view. So it gets the sender's budget too, not the full one.
        var budget = Math.Min(replyBudget, fullBudget);
        switch (message)
        {
            case DigestRequest request:
                return AnswerDigest(request.Digest, budget, random, report);
            case DigestResponse response:
                return AnswerResponse(response, budget, nowMs, random, report);
            case DeltaMessage delta:
                _view.Applier.Apply(delta.Delta, nowMs, report);
                return null;
            case PushMessage push:
                _view.Applier.Apply(push.Delta, nowMs, report);
                return null;
            case LeaveMessage leave:
                _view.Applier.ApplyLeave(leave, report);
                return null;
            default:
                throw new ArgumentException($"Unknown message type {message.GetType().Name}.", nameof(message));
        }
    }

    /// <summary>Takes newer heartbeats from a digest; each advance is reported for the failure detector.</summary>
    public void ObserveHeartbeats(Digest digest, ApplyReport report)
    {
        ArgumentNullException.ThrowIfNull(digest);
        ArgumentNullException.ThrowIfNull(report);
        foreach (var e in digest.Entries)
        {
            if (e.NodeId == _view.SelfId || !_view.TryGetNode(e.NodeId, out var n))
                continue;
            if (e.Generation == n.Generation)
                DeltaApplier.AdvanceHeartbeat(n, e.Heartbeat, report);
        }
    }

    /// <summary>
    /// Step 2 (B receiving A's digest): takes A's newer heartbeats, and answers with the pairs A lacks plus a digest of
    /// the nodes where A knows more than this view (or where this view has newer heartbeats), within the budget.
    /// </summary>
    public DigestResponse AnswerDigest(Digest remote, int budgetBytes, Random random, ApplyReport report)
    {
        ArgumentNullException.ThrowIfNull(remote);
        var body = WireFormat.CheckBudget(budgetBytes) - WireFormat.HeaderSize;
        ObserveHeartbeats(remote, report);

        var deltas = _view.Deltas;
        var wanted = _wanted;
        var fresher = _fresher;
        wanted.Clear();
        fresher.Clear();
        deltas.Clear();
        var mark = deltas.NextDigestMark();
        var newNodesRequested = 0;
        var first = true;
        foreach (var e in remote.Entries)
        {
            var isSender = first;
            first = false;
            if (_view.TryGetNode(e.NodeId, out var n))
            {
                n.DigestMark = mark;
                if (n == _view.Self)
                    report.NoteAboutSelf(n, e.Generation, e.MaxVersion, e.Heartbeat);
                if (e.Generation > n.Generation || (e.Generation == n.Generation && e.MaxVersion > n.MaxVersion))
                {
                    _view.News.Touch(n);
                    if (n == _view.Self)
                        report.AboutSelf++;
                    else if (e.Generation > n.Generation || Math.Max(e.MaxVersion, e.GcWatermark) >= DigestBuilder.ReportedWatermark(n))
                        wanted.Add(DigestBuilder.EntryOf(n)); // A would not feed a copy cleaner than its own (see CanFeed): do not ask
                }
                else if (DeltaBuilder.CanFeed(n, e))
                {
                    deltas.AddCandidate(n, e.Generation, e.MaxVersion, e.GcWatermark);
                }
                else if (e.Generation == n.Generation && n.Heartbeat > e.Heartbeat)
                {
                    fresher.Add(DigestBuilder.EntryOf(n));
                }
            }
            else if (e.Generation > 0)
            {
                if (_view.IsRemoved(e.NodeId, e.Generation, e.Heartbeat))
                {
                    report.FromRemovedNode++;
                    // The sender (a digest names it first) speaks of itself as an incarnation this view removed or
                    // an older one: tell it which generation was removed, so that a node that restarted below it (a
                    // clock set back) learns to take a higher one instead of being refused for good.
                    if (isSender && _view.RemovedGeneration(e.NodeId) is var removed and > 0)
                        wanted.Add(new DigestEntry(e.NodeId, removed, 0, 0));
                }
                else if (_view.Nodes.Count + newNodesRequested >= _view.Limits.MaxNodes)
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
            deltas.AddUnmentioned(mark); // a complete digest that omits a node we know means A has never heard of it

        // The reply digest gets at most half the room when there are pairs to send, so both directions progress.
        // The delta's node count takes its byte even when there are no pairs to send.
        var digestRoom = deltas.HasCandidates ? body / 2 : body - WireFormat.VarIntSize(0UL);
        var news = _news;
        news.Clear();
        if (!remote.IsComplete)
        {
            // Our recent news about nodes A did not name: A cannot ask for it in step 3, but it learns that it is
            // behind and names those nodes in its next digests, so whoever it gossips with next sends them.
            var since = _view.News.Since(_view.NodeList.Count);
            // No entry takes fewer than 4 bytes, so more than this could never fit.
            for (var n = _view.News.Newest; n is not null && n.NewsAt >= since && news.Count < digestRoom / 4; n = n.OlderNews)
            {
                if (n.DigestMark != mark)
                    news.Add(DigestBuilder.EntryOf(n));
            }
        }

        var replyDigest = _view.Digests.BuildReply(wanted, news, fresher, digestRoom, random);
        var delta = deltas.Fill(body - WireFormat.DigestSize(replyDigest), random);
        return new DigestResponse(delta, replyDigest);
    }

    /// <summary>
    /// Step 3 (A receiving B's response): applies B's delta and heartbeats, then returns the delta B asked for, or
    /// null when B is missing nothing this view has.
    /// </summary>
    public DeltaMessage? AnswerResponse(DigestResponse response, int budgetBytes, long nowMs, Random random, ApplyReport report)
    {
        ArgumentNullException.ThrowIfNull(response);
        var body = WireFormat.CheckBudget(budgetBytes) - WireFormat.HeaderSize;
        _view.Applier.Apply(response.Delta, nowMs, report);
        ObserveHeartbeats(response.Digest, report);
        foreach (var e in response.Digest.Entries)
        {
            if (e.NodeId == _view.SelfId)
                report.NoteAboutSelf(_view.Self, e.Generation, e.MaxVersion, e.Heartbeat);
            else if (_view.TryGetNode(e.NodeId, out var n))
                _view.News.NoteBehind(e, n);
        }

        var delta = _view.Deltas.ForDigest(response.Digest, body, random);
        return delta.IsEmpty ? null : new DeltaMessage(delta);
    }
}
