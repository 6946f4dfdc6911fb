using ScuttlebuttAkka.Protocol.State;

namespace ScuttlebuttAkka.Protocol.Reconciliation;

/// <summary>
/// The nodes of one view whose copies had news (a newer version or incarnation arrived, or a peer's digest showed the
/// view is behind on them), newest first. A partial digest names the recent ones before it goes on round the view, and
/// a step-2 reply digest passes them on, so news spreads like a rumour in a few rounds instead of waiting for the
/// round-robin to pick it, which at thousands of nodes takes rounds in proportion to the cluster size
/// (docs/protocol.md, "Budgets"). An intrusive doubly linked list through <see cref="NodeState"/>: touching a node is O(1)
/// and allocates nothing.
/// </summary>
internal sealed class NewsList
{
    private readonly NodeState _self;

    public NewsList(NodeState self) => _self = self;

    /// <summary>The node with the newest news; follow <see cref="NodeState.OlderNews"/> for the rest.</summary>
    public NodeState? Newest { get; private set; }

    /// <summary>How many digests the view has built: news ages in digests, which come about once a round.</summary>
    public long DigestsBuilt { get; private set; }

    /// <summary>Counts one more digest built by the view.</summary>
    public void CountDigest() => DigestsBuilt++;

    /// <summary>
    /// News is passed on for this many of the view's own digests (about rounds): long enough for a rumour to reach every
    /// node of a cluster of <paramref name="nodeCount"/> nodes, short enough that an idle cluster's digests go back to
    /// naming nodes purely round the view.
    /// </summary>
    public long Since(int nodeCount) => DigestsBuilt - ((2 * System.Numerics.BitOperations.Log2((uint)nodeCount)) + 4);

    /// <summary>Puts <paramref name="n"/> at the head of the list (the view's own node never has news).</summary>
    public void Touch(NodeState n)
    {
        if (n == _self)
            return;
        if (n.InNews)
        {
            if (n == Newest)
            {
                n.NewsAt = DigestsBuilt;
                return;
            }

            Unlink(n);
        }

        n.OlderNews = Newest;
        n.NewerNews = null;
        if (Newest is not null)
            Newest.NewerNews = n;
        Newest = n;
        n.InNews = true;
        n.NewsAt = DigestsBuilt;
    }

    /// <summary>Takes <paramref name="n"/> out of the list (it was removed from the view).</summary>
    public void Unlink(NodeState n)
    {
        if (!n.InNews)
            return;
        if (n.NewerNews is not null)
            n.NewerNews.OlderNews = n.OlderNews;
        else
            Newest = n.OlderNews;
        if (n.OlderNews is not null)
            n.OlderNews.NewerNews = n.NewerNews;
        n.NewerNews = n.OlderNews = null;
        n.InNews = false;
    }

    /// <summary>A peer's digest entry <paramref name="e"/> shows it holds a newer incarnation or version of <paramref name="n"/>: news to pass on.</summary>
    public void NoteBehind(in DigestEntry e, NodeState n)
    {
        if (e.Generation > n.Generation || (e.Generation == n.Generation && e.MaxVersion > n.MaxVersion))
            Touch(n);
    }
}
