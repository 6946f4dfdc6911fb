namespace ScuttlebuttAkka.Bench.Clusters;

/// <summary>
/// Everything the nodes of a cluster under test noticed, in arrival order, indexed by (kind, peer, value) so a scenario
/// can ask "who has seen X, and when first" in constant time while thousands of observations stream in.
/// Thread-safe; waiters are woken by each new observation rather than by polling.
/// </summary>
internal sealed class ObservationLog
{
    private readonly object _gate = new();
    private readonly List<Observation> _all = new();
    private readonly Dictionary<(ObservationKind Kind, string Peer, string Value), Dictionary<string, TimeSpan>> _firstSeen = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Number of observations so far.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
                return _all.Count;
        }
    }

    /// <summary>Adds an observation and wakes waiters.</summary>
    public void Record(Observation observation)
    {
        TaskCompletionSource woken;
        lock (_gate)
        {
            _all.Add(observation);
            var key = (observation.Kind, observation.Peer, observation.Value);
            if (!_firstSeen.TryGetValue(key, out var byObserver))
                _firstSeen[key] = byObserver = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
            byObserver.TryAdd(observation.Observer, observation.At);
            woken = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        woken.TrySetResult();
    }

    /// <summary>A task that completes at the next observation.</summary>
    public Task NextChange
    {
        get
        {
            lock (_gate)
                return _changed.Task;
        }
    }

    /// <summary>For each observer that has seen (<paramref name="kind"/>, <paramref name="peer"/>, <paramref name="value"/>), when it first did.</summary>
    public IReadOnlyDictionary<string, TimeSpan> FirstSeen(ObservationKind kind, string peer, string value = "")
    {
        lock (_gate)
        {
            return _firstSeen.TryGetValue((kind, peer, value), out var byObserver)
                ? new Dictionary<string, TimeSpan>(byObserver, StringComparer.Ordinal)
                : new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        }
    }

    /// <summary>How many of <paramref name="observers"/> have seen (<paramref name="kind"/>, <paramref name="peer"/>, <paramref name="value"/>).</summary>
    public int CountSeen(ObservationKind kind, string peer, IEnumerable<string> observers, string value = "")
    {
        lock (_gate)
        {
            if (!_firstSeen.TryGetValue((kind, peer, value), out var byObserver))
                return 0;
            return observers.Count(byObserver.ContainsKey);
        }
    }

    /// <summary>The observations of one kind, in arrival order.</summary>
    public IReadOnlyList<Observation> OfKind(ObservationKind kind)
    {
        lock (_gate)
            return _all.Where(o => o.Kind == kind).ToArray();
    }
}
