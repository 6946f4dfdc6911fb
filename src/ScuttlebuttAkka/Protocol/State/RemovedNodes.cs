namespace ScuttlebuttAkka.Protocol.State;

/// <summary>
/// The incarnations a view removed (after they failed or left and expired), each remembered until a deadline so that
/// late gossip about them cannot bring them back. At most <see cref="ProtocolLimits.MaxNodes"/> are remembered: invented
/// nodes can be introduced, die and be removed over and over, so the memory needs a cap of its own; past it, the one
/// forgotten soonest goes first.
/// </summary>
internal sealed class RemovedNodes
{
    private readonly Dictionary<string, Remembered> _removed = new(StringComparer.Ordinal);
    private readonly int _capacity;

    public RemovedNodes(int capacity) => _capacity = capacity;

    /// <summary>How many removed nodes are remembered.</summary>
    public int Count => _removed.Count;

    /// <summary>Remembers that incarnation <paramref name="generation"/> of <paramref name="nodeId"/> was removed, until <paramref name="untilMs"/>.</summary>
    public void Add(string nodeId, long generation, long untilMs)
    {
        if (_removed.Count >= _capacity && !_removed.ContainsKey(nodeId))
            ForgetSoonest();
        _removed[nodeId] = new Remembered(generation, untilMs);
    }

    /// <summary>Whether gossip about incarnation <paramref name="generation"/> of <paramref name="nodeId"/> is refused.</summary>
    public bool Refuses(string nodeId, long generation) =>
        _removed.TryGetValue(nodeId, out var r) && generation <= r.Generation;

    /// <summary>A newer incarnation of <paramref name="nodeId"/> joined: nothing about it is remembered any more.</summary>
    public void Forget(string nodeId) => _removed.Remove(nodeId);

    /// <summary>Forgets the memories whose deadline passed at <paramref name="nowMs"/>.</summary>
    public void Expire(long nowMs)
    {
        if (_removed.Count == 0)
            return;
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

    // A linear scan is fine: it runs only when the cap is reached, once per removal.
    private void ForgetSoonest()
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

    private readonly record struct Remembered(long Generation, long UntilMs);
}
