using System.Globalization;
using System.Text;

namespace ScuttlebuttAkka.Agent;

/// <summary>The member table: one row per node this node knows (itself first), with status, address and keys.</summary>
internal static class MemberTable
{
    /// <summary>Formats <paramref name="view"/> as aligned plain-text rows.</summary>
    public static string Format(ClusterView view)
    {
        var rows = new List<string[]> { new[] { "NODE", "STATUS", "ADDRESS", "GENERATION", "VERSION", "KEYS" } };
        var ordered = view.Peers.Values
            .OrderBy(p => p.PeerId == view.SelfId ? 0 : 1)
            .ThenBy(p => p.PeerId, StringComparer.Ordinal);
        foreach (var peer in ordered)
        {
            var keys = string.Join(' ', peer.Values.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value.Value}"));
            rows.Add(new[]
            {
                peer.PeerId == view.SelfId ? peer.PeerId + " (self)" : peer.PeerId,
                peer.Status.ToString().ToLowerInvariant(),
                peer.Address,
                peer.Generation.ToString(CultureInfo.InvariantCulture),
                peer.MaxVersion.ToString(CultureInfo.InvariantCulture),
                keys,
            });
        }

        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            for (var c = 0; c < row.Length; c++)
            {
                text.Append(c == row.Length - 1 ? row[c] : row[c].PadRight(widths[c] + 2));
            }

            text.Append('\n');
        }

        var live = view.LivePeers.Count();
        text.Append(CultureInfo.InvariantCulture, $"{view.Peers.Count - 1} peers, {live} alive");
        return text.ToString();
    }
}
