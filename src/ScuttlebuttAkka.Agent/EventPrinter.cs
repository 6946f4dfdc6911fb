using System.Globalization;
using System.Text.Json;
using Akka.Actor;

namespace ScuttlebuttAkka.Agent;

/// <summary>
/// Writes each membership event of the node (and, if asked, each key change) as one output item. It also remembers
/// the keys it has seen of each peer: a restart drops the old incarnation's keys without an event per key, and the
/// operator should see each of them go.
/// </summary>
internal sealed class EventPrinter : ReceiveActor
{
    private readonly AgentOutput _output;
    private readonly bool _showUpdates;
    private readonly Dictionary<string, SortedDictionary<string, long>> _keys = new(StringComparer.Ordinal);

    /// <summary>Creates a printer writing to <paramref name="output"/>.</summary>
    public EventPrinter(AgentOutput output, bool showUpdates)
    {
        _output = output;
        _showUpdates = showUpdates;
        Receive<PeerEvent>(Print);
    }

    /// <summary>Props for a printer.</summary>
    public static Props Props(AgentOutput output, bool showUpdates) => Akka.Actor.Props.Create(() => new EventPrinter(output, showUpdates));

    private void Print(PeerEvent e)
    {
        switch (e)
        {
            case PeerEvent.Joined j:
                _keys.Remove(j.PeerId);
                _output.Emit("joined", $"joined {j.PeerId} {j.Address} generation={j.Generation}", w =>
                {
                    w.WriteString("peer", j.PeerId);
                    w.WriteString("address", j.Address);
                    w.WriteNumber("generation", j.Generation);
                });
                break;
            case PeerEvent.Updated u:
                KeysOf(u.PeerId)[u.Key] = u.Version;
                if (_showUpdates)
                {
                    _output.Emit("updated", $"updated {u.PeerId} {u.Key}={u.Value} version={u.Version}", w =>
                    {
                        w.WriteString("peer", u.PeerId);
                        w.WriteString("key", u.Key);
                        w.WriteString("value", u.Value);
                        w.WriteNumber("version", u.Version);
                    });
                }

                break;
            case PeerEvent.KeyDeleted k:
                KeysOf(k.PeerId).Remove(k.Key);
                if (_showUpdates)
                    Deleted(k.PeerId, k.Key, k.Version, restart: false);
                break;
            case PeerEvent.Down d:
                _output.Emit("down", DownText(d), w =>
                {
                    w.WriteString("peer", d.PeerId);
                    Json.NumberOrNull(w, "phi", d.Phi);
                    w.WriteNumber("corroborated_by", d.CorroboratedBy);
                });
                break;
            case PeerEvent.Up u:
                _output.Emit("up", $"up {u.PeerId}", w => w.WriteString("peer", u.PeerId));
                break;
            case PeerEvent.Restarted r:
                _output.Emit("restarted", $"restarted {r.PeerId} {r.Address} generation={r.OldGeneration}->{r.NewGeneration}", w =>
                {
                    w.WriteString("peer", r.PeerId);
                    w.WriteString("address", r.Address);
                    w.WriteNumber("old_generation", r.OldGeneration);
                    w.WriteNumber("new_generation", r.NewGeneration);
                });
                // The new incarnation starts empty: every key of the old one is gone (its new keys follow as updates).
                if (_keys.Remove(r.PeerId, out var old) && _showUpdates)
                {
                    foreach (var (key, version) in old)
                        Deleted(r.PeerId, key, version, restart: true);
                }

                break;
            case PeerEvent.Left l:
                _output.Emit("left", $"left {l.PeerId}", w =>
                {
                    w.WriteString("peer", l.PeerId);
                    w.WriteNumber("generation", l.Generation);
                });
                break;
            case PeerEvent.Removed r:
                _keys.Remove(r.PeerId);
                _output.Emit("removed", $"removed {r.PeerId}", w => w.WriteString("peer", r.PeerId));
                break;
        }
    }

    /// <summary>
    /// The text of a down event: which rule made the verdict. Below the threshold only other nodes' suspicions can
    /// have, so a bare phi of 0.7 would read as a bug when the threshold is 8.
    /// </summary>
    public static string DownText(PeerEvent.Down d)
    {
        if (double.IsNaN(d.Phi))
            return $"down {d.PeerId}";
        var phi = Json.FormatPhi(d.Phi);
        return d.CorroboratedBy > 0
            ? $"down {d.PeerId} corroborated by {d.CorroboratedBy} {(d.CorroboratedBy == 1 ? "peer" : "peers")} (phi={phi})"
            : $"down {d.PeerId} phi={phi}";
    }

    private SortedDictionary<string, long> KeysOf(string peerId)
    {
        if (!_keys.TryGetValue(peerId, out var keys))
            _keys[peerId] = keys = new SortedDictionary<string, long>(StringComparer.Ordinal);
        return keys;
    }

    private void Deleted(string peerId, string key, long version, bool restart)
    {
        var text = restart
            ? $"deleted {peerId} {key} (restarted)"
            : string.Create(CultureInfo.InvariantCulture, $"deleted {peerId} {key} version={version}");
        _output.Emit("deleted", text, w =>
        {
            w.WriteString("peer", peerId);
            w.WriteString("key", key);
            w.WriteNumber("version", version);
            w.WriteString("cause", restart ? "restart" : "delete");
        });
    }
}
