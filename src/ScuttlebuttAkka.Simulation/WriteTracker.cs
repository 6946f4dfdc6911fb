namespace ScuttlebuttAkka.Simulation;

/// <summary>
/// Follows each write until every running node holds it: after a node applies gossip about the writer, the writes
/// its copy now covers are marked for that node; a write is propagated when every running node is marked.
/// </summary>
internal sealed class WriteTracker
{
    private readonly Dictionary<string, List<Pending>> _byWriter = new(StringComparer.Ordinal);
    private readonly int _slots;

    public WriteTracker(int slots) => _slots = slots;

    public int Outstanding { get; private set; }

    public void Track(WriteRecord write, int writerSlot, int runningCount)
    {
        var pending = new Pending(write, new long[_slots]);
        Array.Fill(pending.ReachedAt, -1);
        pending.ReachedAt[writerSlot] = write.AtMs;
        pending.Count = 1;
        if (pending.Count >= runningCount)
        {
            write.PropagatedAtMs = write.AtMs;
            return;
        }

        if (!_byWriter.TryGetValue(write.Writer, out var list))
            _byWriter[write.Writer] = list = new List<Pending>();
        list.Add(pending);
        Outstanding++;
    }

    /// <summary>Marks the writes of <paramref name="writer"/> that <paramref name="observer"/>'s view now covers.</summary>
    public void Observe(SimulatedNode observer, string writer, long nowMs, int runningCount)
    {
        if (!_byWriter.TryGetValue(writer, out var list) || !observer.State!.TryGetNode(writer, out var copy))
            return;
        for (var i = list.Count - 1; i >= 0; i--)
        {
            var p = list[i];
            if (p.ReachedAt[observer.Index] >= 0 || copy.Generation != p.Write.Generation || copy.MaxVersion < p.Write.Version)
                continue;
            p.ReachedAt[observer.Index] = nowMs;
            p.Count++;
            if (p.Count >= runningCount)
                Complete(list, i, p, nowMs);
        }
    }

    /// <summary>A node stopped: what it held is gone, and writes it alone was missing may now be complete.</summary>
    public void Stopped(SimulatedNode node, long stoppedGeneration, IReadOnlyList<SimulatedNode> nodes, int runningCount)
    {
        if (Outstanding == 0)
            return;
        foreach (var list in _byWriter.Values)
        {
            for (var i = list.Count - 1; i >= 0; i--)
            {
                var p = list[i];
                if (p.Write.Writer == node.Id && p.Write.Generation == stoppedGeneration)
                {
                    p.Write.Abandoned = true;
                    list.RemoveAt(i);
                    Outstanding--;
                    continue;
                }

                if (p.ReachedAt[node.Index] >= 0)
                {
                    p.ReachedAt[node.Index] = -1;
                    p.Count--;
                }

                if (p.Count >= runningCount)
                    Complete(list, i, p, LatestAmongRunning(p, nodes));
            }
        }
    }

    /// <summary>A node took a new generation while running: its earlier incarnation's writes can no longer reach anyone as such.</summary>
    public void Reincarnated(SimulatedNode node, long oldGeneration)
    {
        if (Outstanding == 0 || !_byWriter.TryGetValue(node.Id, out var list))
            return;
        for (var i = list.Count - 1; i >= 0; i--)
        {
            if (list[i].Write.Generation != oldGeneration)
                continue;
            list[i].Write.Abandoned = true;
            list.RemoveAt(i);
            Outstanding--;
        }
    }

    private static long LatestAmongRunning(Pending p, IReadOnlyList<SimulatedNode> nodes)
    {
        var latest = p.Write.AtMs;
        foreach (var n in nodes)
        {
            if (n.IsRunning && p.ReachedAt[n.Index] > latest)
                latest = p.ReachedAt[n.Index];
        }

        return latest;
    }

    private void Complete(List<Pending> list, int index, Pending p, long atMs)
    {
        p.Write.PropagatedAtMs = atMs;
        list.RemoveAt(index);
        Outstanding--;
    }

    private sealed class Pending(WriteRecord write, long[] reachedAt)
    {
        public WriteRecord Write { get; } = write;

        public long[] ReachedAt { get; } = reachedAt;

        public int Count { get; set; }
    }
}
