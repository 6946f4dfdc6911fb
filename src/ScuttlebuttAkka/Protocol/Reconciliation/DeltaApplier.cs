using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Protocol.Reconciliation;

/// <summary>
/// Applies received deltas and leave announcements to one view. Never goes backwards: each node delta meets the rules
/// of docs/protocol.md ("Applying a node delta") in order, and the first that matches decides; the rule numbers below
/// are the table's. Every change is reported in the <see cref="ApplyReport"/>, every refusal counted by reason.
/// </summary>
internal sealed class DeltaApplier
{
    private readonly ClusterState _view;

    public DeltaApplier(ClusterState view) => _view = view;

    /// <summary>Applies every node delta of <paramref name="delta"/> in order.</summary>
    public void Apply(Delta delta, long nowMs, ApplyReport report)
    {
        ArgumentNullException.ThrowIfNull(delta);
        ArgumentNullException.ThrowIfNull(report);
        foreach (var d in delta.Nodes)
            Apply(d, nowMs, report);
    }

    /// <summary>Applies a peer's direct leave announcement; reports <see cref="NodeLeft"/> once per incarnation.</summary>
    public bool ApplyLeave(LeaveMessage leave, ApplyReport report)
    {
        ArgumentNullException.ThrowIfNull(leave);
        if (leave.NodeId == _view.SelfId || !_view.TryGetNode(leave.NodeId, out var n) || n.Generation != leave.Generation || n.LeaveAnnounced)
            return false;
        n.LeaveAnnounced = true;
        report.Changes.Add(new NodeLeft(n.NodeId, n.Generation));
        return true;
    }

    private void Apply(NodeDelta d, long nowMs, ApplyReport report)
    {
        if (d.NodeId == _view.SelfId)
        {
            report.AboutSelf++; // rule 1: only this node writes its own state
            report.NoteAboutSelf(_view.Self, d.Generation, d.LastVersion, d.Heartbeat);
            return;
        }

        if (!IsWellFormed(d))
        {
            report.Malformed++; // rule 2
            return;
        }

        if (_view.IsRemoved(d.NodeId, d.Generation, d.Heartbeat))
        {
            report.FromRemovedNode++; // rule 3
            return;
        }

        if (!_view.TryGetNode(d.NodeId, out var n))
        {
            ApplyUnknown(d, nowMs, report); // rules 4 to 7
            return;
        }

        if (d.Generation < n.Generation)
        {
            report.OldGeneration++; // rule 8
            return;
        }

        if (d.Generation > n.Generation)
        {
            ApplyNewerGeneration(n, d, nowMs, report); // rules 9 and 10
            return;
        }

        if (d.IsReset && Math.Max(n.MaxVersion, n.GcWatermark) < d.GcWatermark)
        {
            Rebuild(n, d, nowMs, report); // rule 11
            return;
        }

        if (d.FromVersion > n.MaxVersion)
        {
            report.NonContiguous++; // rule 12: a gap below the claim; the heartbeat is still news
            AdvanceHeartbeat(n, d.Heartbeat, report);
            return;
        }

        if (d.LastVersion <= n.MaxVersion)
        {
            report.Stale++; // rule 13
            AdvanceHeartbeat(n, d.Heartbeat, report);
            return;
        }

        ApplyPairs(n, d, nowMs, report, newCopy: false); // rule 14
    }

    /// <summary>Rules 4 to 7: a node this view does not know becomes a new copy when it starts from scratch with its address and there is room.</summary>
    private void ApplyUnknown(NodeDelta d, long nowMs, ApplyReport report)
    {
        if (d.FromVersion != 0)
        {
            report.NonContiguous++;
            return;
        }

        if (d.Address is null)
        {
            report.UnknownWithoutAddress++;
            return;
        }

        if (_view.Nodes.Count >= _view.Limits.MaxNodes)
        {
            report.OverNodeLimit++;
            return;
        }

        var n = _view.AddNode(d.NodeId, d.Generation, d.Address);
        report.Changes.Add(new NodeDiscovered(d.NodeId, d.Generation, d.Address));
        report.Arrived.Add(d.NodeId);
        report.Advanced.Add(d.NodeId);
        _view.News.Touch(n);
        ApplyPairs(n, d, nowMs, report, newCopy: true);
    }

    /// <summary>Rules 9 and 10: a newer incarnation replaces the old one wholesale, when it starts from scratch with its address.</summary>
    private void ApplyNewerGeneration(NodeState n, NodeDelta d, long nowMs, ApplyReport report)
    {
        if (d.FromVersion != 0 || d.Address is null)
        {
            report.NonContiguous++;
            return;
        }

        var old = n.Generation;
        n.ResetTo(d.Generation, d.Address);
        n.LeaveAnnounced = false;
        report.Changes.Add(new NodeRestarted(d.NodeId, old, d.Generation, d.Address));
        report.Arrived.Add(d.NodeId);
        report.Advanced.Add(d.NodeId);
        _view.News.Touch(n);
        ApplyPairs(n, d, nowMs, report, newCopy: true);
    }

    /// <summary>Rule 14 (and the pairs of a new copy): applies the pairs above what <paramref name="n"/> holds.</summary>
    private void ApplyPairs(NodeState n, NodeDelta d, long nowMs, ApplyReport report, bool newCopy)
    {
        var reached = n.MaxVersion;
        var before = n.MaxVersion;
        var cut = false;
        foreach (var p in d.Pairs)
        {
            if (p.Version <= n.MaxVersion)
                continue; // already held (the delta overlaps what we had)
            if (!ApplyPair(n, p, nowMs, report))
            {
                // Stop here: applying later pairs would leave a hole below our claimed version.
                cut = true;
                break;
            }

            reached = p.Version;
        }

        n.AdvanceTo(cut ? reached : d.LastVersion);
        if (n.MaxVersion > before)
        {
            _view.News.Touch(n);
            report.Advanced.Add(n.NodeId);
        }

        if (newCopy && d.IsReset)
            n.AdoptWatermark(d.GcWatermark); // built from a copy that lacks collected tombstones, so it lacks them too
        AdvanceHeartbeat(n, d.Heartbeat, report);
    }

    /// <summary>
    /// Rule 11: rebuilds a copy that is behind the sender's watermark. Keys the sender holds up to
    /// <see cref="NodeDelta.LastVersion"/> are kept or updated (never replaced by an older write), every other key is
    /// dropped, since it may have been deleted by a tombstone the sender collected, and the copy restarts at the delta's
    /// last version with the sender's watermark. When the delta was cut below what the copy held, the version goes down
    /// and later rounds continue from there without another reset (the digest carries the watermark while it is above
    /// the version).
    /// </summary>
    private void Rebuild(NodeState n, NodeDelta d, long nowMs, ApplyReport report)
    {
        var offered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in d.Pairs)
        {
            // Unlike a continuation, a rebuild offers versions this copy may hold; one held under another key (or a key
            // offered twice) cannot come from an honest peer, so the delta is refused before anything changes.
            if (!offered.Add(p.Key) || n.VersionHeldByOtherKey(p.Version, p.Key))
            {
                report.Malformed++;
                return;
            }
        }

        DropWhere(n, (key, held) => held.Version > d.LastVersion || !offered.Contains(key), d.LastVersion, report);

        var reached = 0L;
        var cut = false;
        foreach (var p in d.Pairs)
        {
            if (!ApplyPair(n, p, nowMs, report))
            {
                cut = true;
                break;
            }

            reached = p.Version;
        }

        if (cut)
            DropWhere(n, (_, held) => held.Version > reached, reached, report);
        n.RebuildTo(cut ? reached : d.LastVersion);
        n.AdoptWatermark(d.GcWatermark);
        _view.News.Touch(n);
        report.Advanced.Add(n.NodeId);
        AdvanceHeartbeat(n, d.Heartbeat, report);
    }

    private static void DropWhere(NodeState n, Func<string, VersionedValue, bool> drop, long version, ApplyReport report)
    {
        List<KeyValuePair<string, VersionedValue>>? dropped = null;
        foreach (var pair in n.Pairs)
        {
            if (drop(pair.Key, pair.Value))
                (dropped ??= new()).Add(pair);
        }

        if (dropped is null)
            return;
        foreach (var (key, held) in dropped)
        {
            n.Forget(key);
            if (!held.IsDeleted && !ReservedKeys.IsReserved(key))
                report.Changes.Add(new KeyTombstoned(n.NodeId, key, version));
        }
    }

    /// <summary>Applies one pair if it is newer than the held one, reporting the change; false when the key limit refuses it.</summary>
    private bool ApplyPair(NodeState n, in KeyValueUpdate p, long nowMs, ApplyReport report)
    {
        var held = n.TryGet(p.Key, out var existing);
        if (!held && _view.IsOverKeyLimit(n, p.Key))
        {
            report.OverKeyLimit++;
            return false;
        }

        var hadLive = held && !existing.IsDeleted;
        if (!n.ApplyRemote(p, nowMs))
            return true;
        if (p.IsDeleted)
        {
            if (hadLive && !ReservedKeys.IsReserved(p.Key))
                report.Changes.Add(new KeyTombstoned(n.NodeId, p.Key, p.Version));
        }
        else if (p.Key == ReservedKeys.Left)
        {
            if (!n.LeaveAnnounced)
            {
                n.LeaveAnnounced = true;
                report.Changes.Add(new NodeLeft(n.NodeId, n.Generation));
            }
        }
        else if (!ReservedKeys.IsReserved(p.Key))
        {
            report.Changes.Add(new KeyUpdated(n.NodeId, p.Key, p.Value, p.Version));
        }

        if (ReservedKeys.IsSuspicion(p.Key))
            report.SuspicionsChanged = true;

        return true;
    }

    /// <summary>Takes a newer heartbeat of <paramref name="n"/>, reporting it as one failure-detector arrival per message.</summary>
    public static void AdvanceHeartbeat(NodeState n, long heartbeat, ApplyReport report)
    {
        if (heartbeat > n.Heartbeat)
        {
            n.Heartbeat = heartbeat;
            // One arrival per node per message: a second one (or the heartbeat of a node this message discovered or
            // restarted, which arrived through that change) would feed the failure detector a zero interval.
            if (report.Arrived.Add(n.NodeId))
                report.HeartbeatsAdvanced.Add(n.NodeId);
        }
    }

    private static bool IsWellFormed(NodeDelta d)
    {
        if (d.Generation <= 0 || d.FromVersion < 0 || d.LastVersion < d.FromVersion || d.Heartbeat < 0)
            return false;
        if (d.IsReset && (d.FromVersion != 0 || d.GcWatermark < 0))
            return false;
        var prev = d.FromVersion;
        foreach (var p in d.Pairs)
        {
            if (p.Version <= prev || p.Version > d.LastVersion || string.IsNullOrEmpty(p.Key))
                return false;
            prev = p.Version;
        }

        return true;
    }
}
