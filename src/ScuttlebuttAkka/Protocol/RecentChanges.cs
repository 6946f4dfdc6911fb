namespace ScuttlebuttAkka.Protocol;

/// <summary>
/// The peers whose state changed most recently in one view (a newer version or incarnation arrived), each to be
/// advertised in a bounded number of partial digests, like a rumour that stops after a few tellings.
/// When a digest cannot list every node, the nodes that just changed are the ones a peer most likely lacks; listing them
/// first keeps a write spreading in about log N rounds at any cluster size, where a purely random sample of, say, a
/// tenth of the nodes finds the changed one only in a tenth of the exchanges. The random sample fills the rest, so
/// every node is still compared eventually. Not thread-safe, like the view that owns it.
/// </summary>
internal sealed class RecentChanges
{
    /// <summary>How many distinct recent changes are remembered; older ones are forgotten first.</summary>
    public const int Capacity = 64;

    private readonly Slot[] _slots = new Slot[Capacity];
    private int _next;
    private long _sequence;

    /// <summary>Records that <paramref name="node"/> changed; an older record of the same node stops counting.</summary>
    public void Changed(NodeState node)
    {
        node.ChangeStamp = ++_sequence;
        _slots[_next] = new Slot(node, node.ChangeStamp, 0);
        _next = (_next + 1) % Capacity;
    }

    /// <summary>
    /// Visits the changes still worth telling, newest first, for one digest: <paramref name="offer"/> returns whether the
    /// node went into the digest (and so used up one telling) or false to skip it; it returns null to stop.
    /// A change is told in at most <paramref name="tellings"/> digests.
    /// </summary>
    public void Offer(int tellings, Func<NodeState, bool?> offer)
    {
        for (var i = 1; i <= Capacity; i++)
        {
            ref var slot = ref _slots[(_next - i + Capacity) % Capacity];
            if (slot.Node is null || slot.Told >= tellings || slot.Node.ChangeStamp != slot.Stamp)
                continue;
            var taken = offer(slot.Node);
            if (taken is null)
                return;
            if (taken == true)
                slot.Told++;
        }
    }

    private record struct Slot(NodeState? Node, long Stamp, int Told);
}
