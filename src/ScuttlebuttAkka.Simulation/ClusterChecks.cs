using System.Text;
using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.State;

namespace ScuttlebuttAkka.Simulation;

/// <summary>
/// The invariants a converged cluster must satisfy, checked over a <see cref="ClusterSimulator"/>'s running nodes.
/// Each returns null or an empty list when the invariant holds, else a readable account of what is wrong.
/// </summary>
public static class ClusterChecks
{
    /// <summary>
    /// Whether every running node's view is the same: the same members (id and generation, leave mark), and for each
    /// member the same version and the same live keys, values and versions. Heartbeats, tombstones (collected at
    /// different times by design) and liveness verdicts are not compared. Null when identical, else the first difference.
    /// </summary>
    public static string? FindDivergence(ClusterSimulator simulator)
    {
        ArgumentNullException.ThrowIfNull(simulator);
        string? reference = null;
        SimulatedNode? first = null;
        foreach (var node in simulator.RunningNodes)
        {
            var view = Describe(node.State!);
            if (reference is null)
            {
                reference = view;
                first = node;
                continue;
            }

            if (!string.Equals(view, reference, StringComparison.Ordinal))
                return $"{node} and {first} differ: {FirstDifference(reference, view, first!.Id, node.Id)}";
        }

        return null;
    }

    /// <summary>
    /// Writes lost: for every write accepted by an incarnation that still runs, every running node must hold the
    /// writer's current value of that key, at a version at least the write's (a newer write of the key supersedes it;
    /// a delete whose tombstone was collected leaves the key absent everywhere).
    /// </summary>
    public static IReadOnlyList<string> FindLostWrites(ClusterSimulator simulator)
    {
        ArgumentNullException.ThrowIfNull(simulator);
        var lost = new List<string>();
        var running = simulator.RunningNodes.ToArray();
        foreach (var write in simulator.Metrics.Writes)
        {
            var writer = simulator.Node(write.Writer);
            if (!writer.IsRunning || writer.Generation != write.Generation)
                continue; // that incarnation stopped: its unspread writes may be gone
            var own = writer.State!.Self;
            var ownHas = own.TryGet(write.Key, out var ownValue) && !ownValue.IsDeleted;
            if (own.TryGet(write.Key, out var ownAny) && ownAny.Version < write.Version)
            {
                lost.Add($"{writer} itself holds {write.Key} at v{ownAny.Version}, older than its accepted write v{write.Version}");
                continue;
            }

            foreach (var node in running)
            {
                if (!node.State!.TryGetNode(write.Writer, out var copy) || copy.Generation != write.Generation)
                {
                    lost.Add($"{node} does not know {writer}, so it lacks {write.Key} v{write.Version}");
                    continue;
                }

                if (copy.MaxVersion < write.Version)
                {
                    lost.Add($"{node} holds {writer} only up to v{copy.MaxVersion}, missing {write.Key} v{write.Version}");
                    continue;
                }

                var has = copy.TryGet(write.Key, out var value) && !value.IsDeleted;
                if (has != ownHas || (has && (value.Version != ownValue.Version || value.Value != ownValue.Value)))
                    lost.Add($"{node} holds {writer}'s {write.Key} as {Show(has, value)} but the writer holds {Show(ownHas, ownValue)} (write v{write.Version})");
            }
        }

        return lost;
    }

    /// <summary>Running nodes that do not see another running node's current incarnation as alive (missing, old generation, down or left).</summary>
    public static IReadOnlyList<string> FindMisjudgedPeers(ClusterSimulator simulator)
    {
        ArgumentNullException.ThrowIfNull(simulator);
        var wrong = new List<string>();
        var running = simulator.RunningNodes.Where(n => !n.IsLeaving).ToArray();
        foreach (var observer in running)
        {
            foreach (var peer in running)
            {
                if (peer == observer)
                    continue;
                if (!observer.State!.TryGetNode(peer.Id, out var copy))
                    wrong.Add($"{observer} does not know {peer}");
                else if (copy.Generation != peer.Generation)
                    wrong.Add($"{observer} holds {peer.Id}@{copy.Generation}, not {peer}");
                else if (observer.StatusOf(peer.Id) is var status && status != PeerStatus.Alive)
                    wrong.Add($"{observer} judges {peer} {status?.ToString() ?? "untracked"}");
            }
        }

        return wrong;
    }

    /// <summary>Members of running nodes' views whose incarnation no longer runs (crashed or left, not yet removed, or come back).</summary>
    public static IReadOnlyList<string> FindGhosts(ClusterSimulator simulator)
    {
        ArgumentNullException.ThrowIfNull(simulator);
        var ghosts = new List<string>();
        foreach (var observer in simulator.RunningNodes)
        {
            foreach (var member in observer.State!.Nodes.Values)
            {
                var slot = simulator.Node(member.NodeId);
                if (!slot.IsRunning || slot.Generation != member.Generation)
                    ghosts.Add($"{observer} still holds {member.NodeId}@{member.Generation}");
            }
        }

        return ghosts;
    }

    /// <summary>Tombstones held by running nodes, across every member of every view.</summary>
    public static int CountTombstones(ClusterSimulator simulator)
    {
        ArgumentNullException.ThrowIfNull(simulator);
        var count = 0;
        foreach (var node in simulator.RunningNodes)
        {
            foreach (var member in node.State!.Nodes.Values)
                count += member.Pairs.Count(p => p.Value.IsDeleted);
        }

        return count;
    }

    /// <summary>A canonical text of one view's content: members by id, each with generation, version, leave mark and live keys.</summary>
    internal static string Describe(ClusterState view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var text = new StringBuilder();
        foreach (var node in view.Nodes.Values.OrderBy(n => n.NodeId, StringComparer.Ordinal))
        {
            text.Append(node.NodeId).Append('@').Append(node.Generation).Append(" v").Append(node.MaxVersion);
            if (node.HasLeft)
                text.Append(" left");
            text.Append(':');
            foreach (var (key, value) in node.Pairs.Where(p => !p.Value.IsDeleted && !ReservedKeys.IsReserved(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal))
                text.Append(' ').Append(key).Append('=').Append(value.Value).Append("@v").Append(value.Version);
            text.Append('\n');
        }

        return text.ToString();
    }

    private static string FirstDifference(string a, string b, string nameA, string nameB)
    {
        var linesA = a.Split('\n');
        var linesB = b.Split('\n');
        for (var i = 0; i < Math.Max(linesA.Length, linesB.Length); i++)
        {
            var la = i < linesA.Length ? linesA[i] : "(nothing)";
            var lb = i < linesB.Length ? linesB[i] : "(nothing)";
            if (la != lb)
                return $"{nameA} has '{la}', {nameB} has '{lb}'";
        }

        return "(no line differs)";
    }

    private static string Show(bool live, VersionedValue value) => live ? $"'{value.Value}'@v{value.Version}" : "absent or deleted";
}
