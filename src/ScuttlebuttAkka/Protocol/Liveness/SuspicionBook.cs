using ScuttlebuttAkka.Protocol.State;

namespace ScuttlebuttAkka.Protocol.Liveness;

/// <summary>
/// The peers a node says it suspects (<see cref="ClusterState.SetSuspicion"/>), kept in line with its detectors:
/// a peer down or past the suspicion threshold is said to be suspected, and the pair is cleared when that ends or the
/// peer is forgotten. It remembers what it said, so a round where nothing changed touches no pair. Both the actor
/// runtime and the simulator use it.
/// </summary>
internal sealed class SuspicionBook
{
    private readonly HashSet<string> _said = new(StringComparer.Ordinal);
    private readonly List<string> _gone = new();

    /// <summary>How many peers this node says it suspects.</summary>
    public int Count => _said.Count;

    /// <summary>
    /// Brings <paramref name="state"/>'s suspicion pairs in line with the detectors of its peers at
    /// <paramref name="nowMs"/>; with <paramref name="aloud"/> false every suspicion is cleared (see
    /// <see cref="ClusterState.DigestsComplete"/>). Returns true when this node's own pairs changed, so the caller can
    /// push them.
    /// </summary>
    public bool Sync(ClusterState state, long nowMs, bool aloud)
    {
        ArgumentNullException.ThrowIfNull(state);
        var before = state.Self.MaxVersion;
        foreach (var node in state.NodeList)
        {
            if (node.Liveness is not { } liveness)
                continue;
            var id = node.NodeId;
            var suspect = aloud && liveness.IsSuspect(nowMs);
            // Almost always nobody is suspected and nothing was said: no need to hash the id.
            if (!suspect && _said.Count == 0)
                continue;
            if (suspect == _said.Contains(id))
                continue;
            if (suspect)
                _said.Add(id);
            else
                _said.Remove(id);
            state.SetSuspicion(id, liveness.Generation, suspect, nowMs);
        }

        foreach (var id in _said)
        {
            if (!state.TryGetNode(id, out var node) || node.Liveness is null)
                _gone.Add(id);
        }

        foreach (var id in _gone)
        {
            _said.Remove(id);
            state.SetSuspicion(id, 0, suspect: false, nowMs);
        }

        _gone.Clear();
        return state.Self.MaxVersion != before;
    }

    /// <summary>Forgets everything said (a new incarnation starts with a fresh state).</summary>
    public void Clear() => _said.Clear();
}
