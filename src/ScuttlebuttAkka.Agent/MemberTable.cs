using System.Globalization;
using ScuttlebuttAkka.Protocol;

namespace ScuttlebuttAkka.Agent;

/// <summary>
/// The member table: one row per node the view holds (this one first), with status, address, generation, the
/// version up to which its keys are known, and its keys; then a summary. In JSON each row is a "member" object and
/// the summary a "members" object, so a script knows when the table is complete.
/// </summary>
internal static class MemberTable
{
    /// <summary>Writes the table of <paramref name="view"/> to <paramref name="output"/>.</summary>
    public static void Write(ClusterView view, AgentOutput output)
    {
        var peers = Ordered(view).ToList();
        var live = view.LivePeers.Count();
        var others = peers.Count(p => p.PeerId != view.NodeId);
        if (output.Format == OutputFormat.Json)
        {
            foreach (var peer in peers)
            {
                output.Emit("member", "", w =>
                {
                    w.WriteString("peer", peer.PeerId);
                    w.WriteBoolean("self", peer.PeerId == view.NodeId);
                    w.WriteString("status", StatusName(peer.Status));
                    w.WriteString("address", peer.Address);
                    w.WriteNumber("generation", peer.Generation);
                    w.WriteNumber("version", peer.MaxVersion);
                    w.WriteStartObject("keys");
                    foreach (var (key, value) in SortedKeys(peer))
                        w.WriteString(key, value.Value);
                    w.WriteEndObject();
                });
            }

            output.Emit("members", "", w =>
            {
                w.WriteNumber("peers", others);
                w.WriteNumber("alive", live);
            });
            return;
        }

        foreach (var line in TextLines(view, peers))
            output.Emit("member", line);
        output.Emit("members", string.Create(CultureInfo.InvariantCulture, $"{others} peers, {live} alive"));
    }

    /// <summary>The status as the table and the JSON lines name it.</summary>
    public static string StatusName(PeerStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>A peer's live keys in ordinal order.</summary>
    public static IEnumerable<KeyValuePair<string, VersionedValue>> SortedKeys(PeerInfo peer) =>
        peer.Values.OrderBy(kv => kv.Key, StringComparer.Ordinal);

    private static IEnumerable<PeerInfo> Ordered(ClusterView view) =>
        view.Peers.Values
            .OrderBy(p => p.PeerId == view.NodeId ? 0 : 1)
            .ThenBy(p => p.PeerId, StringComparer.Ordinal);

    private static IEnumerable<string> TextLines(ClusterView view, IReadOnlyList<PeerInfo> peers)
    {
        var rows = new List<string[]> { new[] { "NODE", "STATUS", "ADDRESS", "GENERATION", "VERSION", "KEYS" } };
        foreach (var peer in peers)
        {
            rows.Add(new[]
            {
                peer.PeerId == view.NodeId ? peer.PeerId + " (self)" : peer.PeerId,
                StatusName(peer.Status),
                peer.Address,
                peer.Generation.ToString(CultureInfo.InvariantCulture),
                peer.MaxVersion.ToString(CultureInfo.InvariantCulture),
                string.Join(' ', SortedKeys(peer).Select(kv => $"{kv.Key}={kv.Value.Value}")),
            });
        }

        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
            yield return string.Concat(row.Select((cell, c) => c == row.Length - 1 ? cell : cell.PadRight(widths[c] + 2))).TrimEnd();
    }
}
