using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.State;
using Xunit.Sdk;

namespace ScuttlebuttAkka.Tests.Protocol.Reconciliation;

/// <summary>
/// Plays a <see cref="GossipScenario"/> on real <see cref="ClusterState"/>s through the codec and checks, after every
/// exchange, that nothing went backwards, that every change was reported exactly, and that every view satisfies the
/// truncation invariant against the ground truth: the log of every write each incarnation ever made.
/// </summary>
internal sealed class GossipSimulation
{
    private readonly GossipScenario _scenario;
    private readonly ClusterState[] _views;
    private readonly int[] _restarts;
    private readonly HashSet<(string NodeId, long Generation)>[] _leftReported;
    private readonly Random _random;
    private readonly ManualClock _clock = new(1_000);

    // Ground truth: every write of every incarnation (version -> write), and each key's newest write.
    private readonly Dictionary<(string NodeId, long Generation), Dictionary<long, Write>> _writes = new();
    private readonly Dictionary<(string NodeId, long Generation), Dictionary<string, Write>> _latest = new();

    public GossipSimulation(GossipScenario scenario)
    {
        _scenario = scenario;
        _random = new Random(unchecked((int)scenario.RandomSeed ^ (int)(scenario.RandomSeed >> 32)));
        _views = new ClusterState[scenario.NodeCount];
        _restarts = new int[scenario.NodeCount];
        _leftReported = new HashSet<(string, long)>[scenario.NodeCount];
        for (var i = 0; i < _views.Length; i++)
        {
            _views[i] = new ClusterState(IdOf(i), _random.NextInt64(1, 1L << 20), AddressOf(i, 0));
            _leftReported[i] = new();
            RecordWrites(i);
        }
    }

    public int Exchanges { get; private set; }

    public IReadOnlyList<ClusterState> Views => _views;

    public static string IdOf(int i) => $"n{i}";

    private static string AddressOf(int i, int restarts) => $"127.0.0.1:{10_000 + (i * 100) + restarts}";

    public void Apply(ScenarioOp op)
    {
        var now = _clock.NowMs;
        switch (op.Kind)
        {
            case ScenarioOpKind.Set:
                Set(op.Node, GossipScenario.Keys[op.Key], op.Value, null);
                break;
            case ScenarioOpKind.SetWithTtl:
                Set(op.Node, GossipScenario.Keys[op.Key], op.Value, TimeSpan.FromMilliseconds(op.Amount));
                break;
            case ScenarioOpKind.Delete:
                _views[op.Node].Delete(GossipScenario.Keys[op.Key], now);
                RecordWrites(op.Node);
                break;
            case ScenarioOpKind.Exchange:
                Exchange(op.Node, op.Other);
                break;
            case ScenarioOpKind.Tick:
                _clock.Advance(op.Amount);
                for (var i = 0; i < _views.Length; i++)
                {
                    _views[i].ExpireKeys(_clock.NowMs);
                    RecordWrites(i);
                }

                CollectGarbage();
                break;
            case ScenarioOpKind.Heartbeat:
                _views[op.Node].BumpHeartbeat();
                break;
            case ScenarioOpKind.Restart:
                Restart(op.Node, op.Amount, op.Value);
                break;
            case ScenarioOpKind.Leave:
                _views[op.Node].MarkLeaving();
                RecordWrites(op.Node);
                break;
        }
    }

    /// <summary>
    /// Gossips in random pairs (random initiator with two nodes) until every view equals every owner's own state, checking
    /// every exchange. Returns the rounds it took; throws when <paramref name="maxRounds"/> pass without convergence.
    /// </summary>
    public int Converge(int maxRounds)
    {
        if (Converged())
            return 0;
        for (var round = 1; round <= maxRounds; round++)
        {
            var i = _random.Next(_views.Length);
            var j = (i + 1 + _random.Next(_views.Length - 1)) % _views.Length;
            _views[i].BumpHeartbeat(); // as the runtime does every round, so reply digests also carry heartbeat news
            Exchange(i, j);
            CollectGarbage();
            if (Converged())
                return round;
        }

        throw new XunitException($"No convergence after {maxRounds} rounds ({Exchanges} exchanges in all). First difference: {FirstDifference()}");
    }

    public bool Converged()
    {
        // Cheap first: generations and versions must all match before the pairs are worth comparing.
        foreach (var view in _views)
        {
            if (view.Nodes.Count != _views.Length)
                return false;
            foreach (var owner in _views)
            {
                if (!view.TryGetNode(owner.SelfId, out var copy) || copy.Generation != owner.Self.Generation || copy.MaxVersion != owner.Self.MaxVersion)
                    return false;
            }
        }

        return FirstDifference() is null;
    }

    /// <summary>Describes the first way some view differs from some owner, or null when all views agree with all owners.</summary>
    public string? FirstDifference()
    {
        foreach (var view in _views)
        {
            if (view.Nodes.Count != _views.Length)
                return $"{view.SelfId} knows {view.Nodes.Count} nodes, not {_views.Length}";
            foreach (var owner in _views)
            {
                if (!view.TryGetNode(owner.SelfId, out var copy))
                    return $"{view.SelfId} does not know {owner.SelfId}";
                var own = owner.Self;
                if (copy.Generation != own.Generation || copy.MaxVersion != own.MaxVersion)
                    return $"{view.SelfId} holds {owner.SelfId}@{copy.Generation} v{copy.MaxVersion}, owner is @{own.Generation} v{own.MaxVersion}";
                var expected = LivePairs(own);
                var actual = LivePairs(copy);
                if (expected != actual)
                    return $"{view.SelfId} holds {owner.SelfId} as [{actual}], owner has [{expected}]";
            }
        }

        return null;
    }

    private static string LivePairs(NodeState n) =>
        string.Join(",", n.Pairs.Where(p => !p.Value.IsDeleted).OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={p.Value.Value}@{p.Value.Version}"));

    private void Set(int node, string key, string value, TimeSpan? ttl)
    {
        _views[node].Set(key, value, _clock.NowMs, ttl);
        RecordWrites(node);
    }

    private void Restart(int node, int keep, string value)
    {
        var old = _views[node];
        _restarts[node]++;
        // A later incarnation takes a higher generation; the application sets its initial keys again.
        var fresh = new ClusterState(old.SelfId, old.Self.Generation + 1 + _random.Next(1000), AddressOf(node, _restarts[node]));
        for (var k = 0; k < keep; k++)
            fresh.Set(GossipScenario.Keys[k], value, _clock.NowMs);
        _views[node] = fresh;
        _leftReported[node] = new();
        RecordWrites(node);
    }

    private void CollectGarbage()
    {
        foreach (var view in _views)
            view.CollectGarbage(_clock.NowMs, _scenario.TombstoneGraceMs);
        foreach (var view in _views)
            CheckInvariant(view);
    }

    // ------------------------------------------------------------------ checked exchange

    private void Exchange(int i, int j)
    {
        var a = _views[i];
        var b = _views[j];
        var beforeA = Snapshot.Of(a);
        var beforeB = Snapshot.Of(b);
        var (atA, atB) = ExchangeHarness.Exchange(a, b, _scenario.Budget, _random, _clock.NowMs);
        Exchanges++;
        CheckStep(i, beforeA, atA);
        CheckStep(j, beforeB, atB);
        CheckInvariant(a);
        CheckInvariant(b);
    }

    /// <summary>Nothing went backwards in view <paramref name="index"/>, and <paramref name="report"/> names exactly what changed.</summary>
    private void CheckStep(int index, Snapshot before, ApplyReport report)
    {
        var view = _views[index];
        var where = $"view {view.SelfId}, exchange {Exchanges}";
        foreach (var (id, was) in before.Nodes)
        {
            if (!view.TryGetNode(id, out var now))
                throw new XunitException($"{where}: {id} vanished");
            if (now.Generation < was.Generation)
                throw new XunitException($"{where}: {id} went back from generation {was.Generation} to {now.Generation}");
            if (now.Generation > was.Generation)
            {
                if (!report.Changes.Contains(new NodeRestarted(id, was.Generation, now.Generation, now.Address)))
                    throw new XunitException($"{where}: {id} restarted ({was.Generation} -> {now.Generation}) without NodeRestarted");
                continue;
            }

            // Only a rebuild (a reset: the watermark jumps past everything the copy knew) may lower the version.
            var rebuilt = now.GcWatermark > Math.Max(was.MaxVersion, was.GcWatermark);
            if (now.MaxVersion < was.MaxVersion && !rebuilt)
                throw new XunitException($"{where}: {id}@{now.Generation} MaxVersion went back from {was.MaxVersion} to {now.MaxVersion}");
            if (now.GcWatermark < was.GcWatermark)
                throw new XunitException($"{where}: {id}@{now.Generation} GcWatermark went back from {was.GcWatermark} to {now.GcWatermark}");
            foreach (var (key, old) in was.Pairs)
            {
                var held = now.TryGet(key, out var current);
                if (held && current.Version < old.Version)
                    throw new XunitException($"{where}: {id}.{key} went back from version {old.Version} to {current.Version}");
                var goneNow = !held || current.IsDeleted;
                if (!old.IsDeleted && goneNow && !ReservedKeys.IsReserved(key)
                    && !report.Changes.Any(c => c is KeyTombstoned d && d.NodeId == id && d.Key == key))
                    throw new XunitException($"{where}: {id}.{key} disappeared without KeyTombstoned");
            }

            foreach (var (key, current) in now.Pairs)
            {
                if (current.IsDeleted || ReservedKeys.IsReserved(key))
                    continue;
                var changed = !was.Pairs.TryGetValue(key, out var old) || old.Version != current.Version;
                var reported = report.Changes.Contains(new KeyUpdated(id, key, current.Value, current.Version));
                if (changed && !reported)
                    throw new XunitException($"{where}: {id}.{key}={current.Value}@{current.Version} arrived without KeyUpdated");
            }
        }

        foreach (var change in report.Changes)
        {
            if (!view.TryGetNode(change.NodeId, out var n))
                throw new XunitException($"{where}: reported {change} about a node it does not hold");
            var restarted = before.Nodes.TryGetValue(change.NodeId, out var was) && was.Generation != n.Generation;
            switch (change)
            {
                case NodeDiscovered when was is not null:
                    throw new XunitException($"{where}: {change} for a node it already knew");
                case KeyUpdated u:
                    if (!n.TryGet(u.Key, out var v) || v != new VersionedValue(u.Value, u.Version, false))
                        throw new XunitException($"{where}: {change} but holds {(n.TryGet(u.Key, out v) ? v.ToString() : "nothing")}");
                    if (was is not null && !restarted && was.Pairs.TryGetValue(u.Key, out var prior) && prior.Version == u.Version)
                        throw new XunitException($"{where}: {change} repeats a value it already held");
                    break;
                case KeyTombstoned d:
                    if (n.TryGet(d.Key, out var dv) && !dv.IsDeleted)
                        throw new XunitException($"{where}: {change} but holds {dv}");
                    break;
                case NodeLeft left:
                    if (!_leftReported[index].Add((left.NodeId, left.Generation)))
                        throw new XunitException($"{where}: {change} reported twice");
                    break;
            }
        }

        foreach (var id in view.Nodes.Keys)
        {
            if (!before.Nodes.ContainsKey(id) && !report.Changes.Any(c => c is NodeDiscovered d && d.NodeId == id))
                throw new XunitException($"{where}: learned of {id} without NodeDiscovered");
        }
    }

    // ------------------------------------------------------------------ the invariant against the ground truth

    private void RecordWrites(int node)
    {
        var self = _views[node].Self;
        var id = (self.NodeId, self.Generation);
        if (!_writes.TryGetValue(id, out var log))
        {
            _writes[id] = log = new();
            _latest[id] = new(StringComparer.Ordinal);
        }

        var latest = _latest[id];
        foreach (var (key, v) in self.Pairs)
        {
            if (log.TryAdd(v.Version, new Write(key, v)))
            {
                if (!latest.TryGetValue(key, out var prev) || prev.Value.Version < v.Version)
                    latest[key] = new Write(key, v);
            }
        }
    }

    /// <summary>
    /// The invariant of docs/protocol.md, for every node copy with max version m and watermark w: every key whose newest
    /// write has a version at most m is held exactly as written, except that a tombstone at or below w may be missing;
    /// every held pair is a real write of that incarnation at a version at most m, and is its key's newest write unless
    /// that newest write is above both m and w.
    /// </summary>
    private void CheckInvariant(ClusterState view)
    {
        foreach (var copy in view.Nodes.Values)
        {
            var id = (copy.NodeId, copy.Generation);
            var where = $"view {view.SelfId}, copy of {copy.NodeId}@{copy.Generation} v{copy.MaxVersion} gc{copy.GcWatermark}, exchange {Exchanges}";
            if (!_writes.TryGetValue(id, out var log))
                throw new XunitException($"{where}: no such incarnation was ever started");
            var latest = _latest[id];
            foreach (var (key, held) in copy.Pairs)
            {
                if (held.Version > copy.MaxVersion)
                    throw new XunitException($"{where}: holds {key}@{held.Version} above its MaxVersion");
                if (!log.TryGetValue(held.Version, out var w) || w.Key != key || w.Value != held)
                    throw new XunitException($"{where}: holds {key}={held} that the owner never wrote");
                var newest = latest[key].Value;
                if (newest.Version != held.Version && newest.Version <= Math.Max(copy.MaxVersion, copy.GcWatermark))
                    throw new XunitException($"{where}: holds {key}={held} superseded by {newest} within what it vouches for");
            }

            foreach (var (key, newest) in latest)
            {
                if (newest.Value.Version > copy.MaxVersion)
                    continue;
                var has = copy.TryGet(key, out var held);
                if (has && held == newest.Value)
                    continue;
                if (!has && newest.Value.IsDeleted && newest.Value.Version <= copy.GcWatermark)
                    continue;
                throw new XunitException($"{where}: {key} should be {newest.Value} but is {(has ? held.ToString() : "missing")}");
            }
        }
    }

    private sealed record Write(string Key, VersionedValue Value);

    private sealed record NodeSnapshot(long Generation, long MaxVersion, long GcWatermark, Dictionary<string, VersionedValue> Pairs);

    private sealed record Snapshot(Dictionary<string, NodeSnapshot> Nodes)
    {
        public static Snapshot Of(ClusterState view) => new(view.Nodes.Values.ToDictionary(
            n => n.NodeId,
            n => new NodeSnapshot(n.Generation, n.MaxVersion, n.GcWatermark, n.Pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal)),
            StringComparer.Ordinal));
    }
}
