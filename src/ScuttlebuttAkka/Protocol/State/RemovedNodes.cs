namespace ScuttlebuttAkka.Protocol.State;

/// <summary>
/// The incarnations a view removed (after they failed or left and expired), so that old gossip cannot bring them back.
/// For <see cref="ScuttlebuttSettings.RemovedPeerMemory"/> after a removal, nothing about that incarnation or an older
/// one is taken. Past that memory the removal is still kept, and an older incarnation is still refused: only the same
/// incarnation may come back, and only with a heartbeat newer than the one it had when it was removed, which proves it
/// ran after its removal (a node cut off for longer than the memory, say) rather than a datagram held up in the
/// network or replayed. At most <see cref="ProtocolLimits.MaxNodes"/> removals are kept: invented nodes can be
/// introduced, die and be removed over and over, so past the cap the oldest removal is forgotten.
/// </summary>
internal sealed class RemovedNodes
{
    private readonly Dictionary<string, LinkedListNode<Removal>> _byId = new(StringComparer.Ordinal);

    // Oldest removal first: memories lapse in this order (the memory is the same length for every removal), and the
    // cap forgets from the front.
    private readonly LinkedList<Removal> _byAge = new();
    private readonly int _capacity;

    public RemovedNodes(int capacity) => _capacity = capacity;

    /// <summary>How many removals are kept, within their memory or past it.</summary>
    public int Count => _byId.Count;

    /// <summary>
    /// Keeps that incarnation <paramref name="generation"/> of <paramref name="nodeId"/> was removed with heartbeat
    /// <paramref name="heartbeat"/>, refusing everything about it until <paramref name="untilMs"/>.
    /// </summary>
    public void Add(string nodeId, long generation, long heartbeat, long untilMs)
    {
        if (_byId.Remove(nodeId, out var existing))
        {
            // An older removal of the same id stays binding: never forget a higher generation than this one.
            generation = Math.Max(generation, existing.Value.Generation);
            _byAge.Remove(existing);
        }
        else if (_byId.Count >= _capacity && _byAge.First is { } oldest)
        {
            _byId.Remove(oldest.Value.NodeId);
            _byAge.RemoveFirst();
        }

        _byId[nodeId] = _byAge.AddLast(new Removal(nodeId, generation, heartbeat, untilMs));
    }

    /// <summary>
    /// Whether gossip about incarnation <paramref name="generation"/> of <paramref name="nodeId"/>, carrying heartbeat
    /// <paramref name="heartbeat"/>, is refused.
    /// </summary>
    public bool Refuses(string nodeId, long generation, long heartbeat)
    {
        if (!_byId.TryGetValue(nodeId, out var entry))
            return false;
        var r = entry.Value;
        if (generation != r.Generation)
            return generation < r.Generation;
        return !r.Lapsed || heartbeat <= r.Heartbeat;
    }

    /// <summary>The newest removed generation of <paramref name="nodeId"/>; 0 when none is kept.</summary>
    public long GenerationOf(string nodeId) => _byId.TryGetValue(nodeId, out var entry) ? entry.Value.Generation : 0;

    /// <summary>The node joined the view again (a newer incarnation, or proof that the removed one still runs): nothing about it is kept.</summary>
    public void Forget(string nodeId)
    {
        if (_byId.Remove(nodeId, out var entry))
            _byAge.Remove(entry);
    }

    /// <summary>Ends the memories whose deadline passed at <paramref name="nowMs"/>; their removals are kept as described above.</summary>
    public void Expire(long nowMs)
    {
        foreach (var r in _byAge)
        {
            if (r.UntilMs > nowMs)
                break;
            r.Lapsed = true;
        }
    }

    private sealed class Removal(string nodeId, long generation, long heartbeat, long untilMs)
    {
        public string NodeId { get; } = nodeId;

        public long Generation { get; } = generation;

        public long Heartbeat { get; } = heartbeat;

        public long UntilMs { get; } = untilMs;

        public bool Lapsed { get; set; }
    }
}
