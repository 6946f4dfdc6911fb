using System.Globalization;
using System.Text;
using ScuttlebuttAkka.Protocol;

namespace ScuttlebuttAkka;

// The settings as HOCON: the inverse of FromConfig, key for key.
public sealed partial record ScuttlebuttSettings
{
    /// <summary>
    /// These settings as a <c>scuttlebutt { }</c> HOCON block, every key of reference.conf written out, which
    /// <see cref="FromConfig"/> reads back to the same settings. <see cref="SeedProvider"/>, <see cref="Clock"/> and
    /// <see cref="RandomSeed"/> have no HOCON form and are left out.
    /// </summary>
    public string ToHocon()
    {
        var fd = Liveness.Detector;
        var b = new StringBuilder("scuttlebutt {\n");
        Line("node-id", Quote(NodeId));
        Line("cluster-name", Quote(ClusterName));
        Line("generation", Generation.ToString(CultureInfo.InvariantCulture));
        Line("bind", Quote(Bind));
        Line("advertise", Quote(Advertise ?? ""));
        Line("seeds", "[" + string.Join(", ", Seeds.Select(Quote)) + "]");
        Line("initial-state", "{ " + string.Join(", ", InitialState.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => Quote(kv.Key) + " = " + Quote(kv.Value))) + " }");
        Line("gossip-interval", Duration(GossipInterval));
        Line("max-datagram-bytes", Int(MaxDatagramBytes));
        Line("down-peer-gossip-probability", Number(DownPeerGossipProbability));
        Line("seed-gossip-probability", Number(SeedGossipProbability));
        Line("tombstone-grace-period", Duration(TombstoneGracePeriod));
        Line("removed-peer-memory", Duration(RemovedPeerMemory));
        Line("leave-rounds", Int(LeaveRounds));
        Line("failure-detector.threshold", Number(fd.Threshold));
        Line("failure-detector.suspicion-threshold", Number(fd.SuspicionThreshold));
        Line("failure-detector.corroborations", Int(fd.Corroborations));
        Line("failure-detector.max-sample-size", Int(fd.MaxSampleSize));
        Line("failure-detector.min-std-deviation", Duration(fd.MinStdDeviation));
        Line("failure-detector.acceptable-heartbeat-pause", Duration(fd.AcceptableHeartbeatPause));
        Line("failure-detector.first-heartbeat-estimate", Duration(fd.FirstHeartbeatEstimate));
        Line("failure-detector.down-expiry", Duration(Liveness.DownExpiry));
        Line("failure-detector.left-expiry", Duration(Liveness.LeftExpiry));
        Line("eager-push.enabled", EagerPush ? "on" : "off");
        Line("eager-push.fanout", Int(EagerPushFanout));
        Line("limits.max-key-bytes", Int(Limits.MaxKeyBytes));
        Line("limits.max-value-bytes", Int(Limits.MaxValueBytes));
        Line("limits.max-keys-per-node", Int(Limits.MaxKeysPerNode));
        Line("limits.max-nodes", Int(Limits.MaxNodes));
        Line("encryption.mode", Encryption is null ? "off" : ModeName(Encryption.Mode));
        Line("encryption.keys", "[" + (Encryption is null ? "" : string.Join(", ", Encryption.Keys.AllKeys.Select(k => Quote(Convert.ToBase64String(k))))) + "]");
        Line("transport.receive-buffer-bytes", Int(ReceiveBufferBytes));
        Line("transport.send-buffer-bytes", Int(SendBufferBytes));
        return b.Append("}\n").ToString();

        void Line(string key, string value) => b.Append("  ").Append(key).Append(" = ").Append(value).Append('\n');
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    // Whole milliseconds, which every setting is given in (a finer value would not survive the trip through HOCON).
    private static string Duration(TimeSpan value) => ((long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";

    private static string ModeName(EncryptionMode mode) => mode switch
    {
        EncryptionMode.AcceptEncrypted => "accept-encrypted",
        EncryptionMode.SendEncrypted => "send-encrypted",
        EncryptionMode.Required => "required",
        _ => "off",
    };

    private static string Quote(string value)
    {
        var b = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    b.Append("\\\"");
                    break;
                case '\\':
                    b.Append("\\\\");
                    break;
                case < ' ':
                    b.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    b.Append(c);
                    break;
            }
        }

        return b.Append('"').ToString();
    }
}
