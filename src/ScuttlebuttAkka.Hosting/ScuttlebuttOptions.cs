using System.Text;
using ScuttlebuttAkka.Protocol;

namespace ScuttlebuttAkka.Hosting;

/// <summary>
/// Options for <see cref="ScuttlebuttHostingExtensions.WithScuttlebutt"/>: one property per setting of
/// <see cref="ScuttlebuttSettings"/> that has a HOCON form. Every property is optional; a null one keeps what the rest
/// of the configuration says (other HOCON, then the chosen preset, then reference.conf). The set ones render to a
/// <c>scuttlebutt { }</c> block placed in front of the ActorSystem's configuration.
/// </summary>
public sealed class ScuttlebuttOptions
{
    /// <summary>The timing preset the other settings start from (<c>preset</c>); default <see cref="ScuttlebuttPreset.Lan"/>.</summary>
    public ScuttlebuttPreset? Preset { get; set; }

    /// <summary>This node's id, at most 256 UTF-8 bytes (<c>node-id</c>); default the machine name and a random suffix.</summary>
    public string? NodeId { get; set; }

    /// <summary>Nodes gossip only within one cluster name; other clusters' datagrams are dropped (<c>cluster-name</c>).</summary>
    public string? ClusterName { get; set; }

    /// <summary>This incarnation (<c>generation</c>); 0 or unset means the start time in Unix milliseconds.</summary>
    public long? Generation { get; set; }

    /// <summary>Where the UDP socket binds, an IP literal and port; port 0 picks a free one (<c>bind</c>); default 0.0.0.0:7474.</summary>
    public string? Bind { get; set; }

    /// <summary>The address peers use to reach this node (<c>advertise</c>); default the bound address.</summary>
    public string? Advertise { get; set; }

    /// <summary>Seed addresses ("host:port") contacted when the node knows no live peer (<c>seeds</c>); replaces any configured list.</summary>
    public IList<string>? Seeds { get; set; }

    /// <summary>Key/values this node holds before its first round (<c>initial-state</c>); merged over any configured ones.</summary>
    public IDictionary<string, string>? InitialState { get; set; }

    /// <summary>Time between two rounds of this node (<c>gossip-interval</c>).</summary>
    public TimeSpan? GossipInterval { get; set; }

    /// <summary>The largest datagram this node sends, in bytes (<c>max-datagram-bytes</c>); 1400 fits an Ethernet MTU.</summary>
    public int? MaxDatagramBytes { get; set; }

    /// <summary>Chance per round, 0 to 1, of also gossiping with a down peer to notice its recovery (<c>down-peer-gossip-probability</c>).</summary>
    public double? DownPeerGossipProbability { get; set; }

    /// <summary>Chance per round, 0 to 1, of also contacting a seed to heal partitions (<c>seed-gossip-probability</c>).</summary>
    public double? SeedGossipProbability { get; set; }

    /// <summary>How long a deleted key's tombstone is kept before it is collected (<c>tombstone-grace-period</c>).</summary>
    public TimeSpan? TombstoneGracePeriod { get; set; }

    /// <summary>How long a removed peer's incarnation is refused, longer than both expiries (<c>removed-peer-memory</c>).</summary>
    public TimeSpan? RemovedPeerMemory { get; set; }

    /// <summary>Rounds a leaving node keeps gossiping so its leave spreads (<c>leave-rounds</c>).</summary>
    public int? LeaveRounds { get; set; }

    /// <summary>Phi above which a peer is reported down (<c>failure-detector.threshold</c>).</summary>
    public double? FailureDetectorThreshold { get; set; }

    /// <summary>Phi above which a peer is suspected aloud, for corroborated verdicts (<c>failure-detector.suspicion-threshold</c>).</summary>
    public double? FailureDetectorSuspicionThreshold { get; set; }

    /// <summary>Other live nodes' suspicions that report a peer down before the threshold; 0 turns this off (<c>failure-detector.corroborations</c>).</summary>
    public int? FailureDetectorCorroborations { get; set; }

    /// <summary>Heartbeat intervals the detector remembers per peer (<c>failure-detector.max-sample-size</c>).</summary>
    public int? FailureDetectorMaxSampleSize { get; set; }

    /// <summary>Floor of the spread of heartbeat intervals, so a very regular network does not make phi jumpy (<c>failure-detector.min-std-deviation</c>).</summary>
    public TimeSpan? FailureDetectorMinStdDeviation { get; set; }

    /// <summary>Silence tolerated before suspicion grows (<c>failure-detector.acceptable-heartbeat-pause</c>).</summary>
    public TimeSpan? FailureDetectorAcceptableHeartbeatPause { get; set; }

    /// <summary>Heartbeat interval assumed until real samples exist (<c>failure-detector.first-heartbeat-estimate</c>).</summary>
    public TimeSpan? FailureDetectorFirstHeartbeatEstimate { get; set; }

    /// <summary>How long a down peer is kept before it is removed (<c>failure-detector.down-expiry</c>).</summary>
    public TimeSpan? DownExpiry { get; set; }

    /// <summary>How long a peer that left is kept before it is removed (<c>failure-detector.left-expiry</c>).</summary>
    public TimeSpan? LeftExpiry { get; set; }

    /// <summary>Whether fresh local writes are pushed at once to a few live peers (<c>eager-push.enabled</c>).</summary>
    public bool? EagerPush { get; set; }

    /// <summary>How many live peers get each eagerly pushed write (<c>eager-push.fanout</c>).</summary>
    public int? EagerPushFanout { get; set; }

    /// <summary>Longest key, in UTF-8 bytes (<c>limits.max-key-bytes</c>).</summary>
    public int? MaxKeyBytes { get; set; }

    /// <summary>Longest value, in UTF-8 bytes (<c>limits.max-value-bytes</c>).</summary>
    public int? MaxValueBytes { get; set; }

    /// <summary>Most keys one node may hold, tombstones included (<c>limits.max-keys-per-node</c>).</summary>
    public int? MaxKeysPerNode { get; set; }

    /// <summary>Most nodes tracked; news of further nodes is dropped and counted (<c>limits.max-nodes</c>).</summary>
    public int? MaxNodes { get; set; }

    /// <summary>
    /// AES-GCM encryption: <see cref="Protocol.EncryptionMode.Off"/>, <see cref="Protocol.EncryptionMode.AcceptEncrypted"/>,
    /// <see cref="Protocol.EncryptionMode.SendEncrypted"/> or <see cref="Protocol.EncryptionMode.Required"/>
    /// (<c>encryption.mode</c>); any mode but Off needs <see cref="EncryptionKeys"/>. See docs/security.md.
    /// </summary>
    public EncryptionMode? EncryptionMode { get; set; }

    /// <summary>Base64 AES keys of 16, 24 or 32 bytes; the first encrypts, all are accepted (<c>encryption.keys</c>).</summary>
    public IList<string>? EncryptionKeys { get; set; }

    /// <summary>The UDP socket's receive buffer, in bytes (<c>transport.receive-buffer-bytes</c>).</summary>
    public int? ReceiveBufferBytes { get; set; }

    /// <summary>The UDP socket's send buffer, in bytes (<c>transport.send-buffer-bytes</c>).</summary>
    public int? SendBufferBytes { get; set; }

    /// <summary>
    /// True runs the gossiper on the process's socket loop thread (the default, cheapest at idle); false on the .NET
    /// thread pool (<c>io-dispatcher.executor = default-executor</c>). See docs/architecture.md, "Threads and idle CPU".
    /// </summary>
    public bool? UseSocketLoop { get; set; }

    /// <summary>Whether the node leaves the cluster gracefully when the host stops, so peers report it left, not down; default true.</summary>
    public bool? LeaveOnShutdown { get; set; }

    /// <summary>Renders the options that are set as a <c>scuttlebutt { }</c> HOCON block; throws for a value HOCON cannot carry.</summary>
    public string ToHocon()
    {
        var sb = new StringBuilder();
        sb.AppendLine("scuttlebutt {");
        foreach (var (_, path, value) in Entries())
            sb.Append("  ").Append(path).Append(" = ").AppendLine(value);
        sb.AppendLine("}");
        return sb.ToString();
    }

    /// <summary>The option that renders to <paramref name="settingName"/> and is set, for error messages; null when none is.</summary>
    internal string? OptionFor(string? settingName)
    {
        if (settingName is null)
            return null;
        var option = settingName switch
        {
            "Threshold" => nameof(FailureDetectorThreshold),
            "SuspicionThreshold" => nameof(FailureDetectorSuspicionThreshold),
            "Corroborations" => nameof(FailureDetectorCorroborations),
            "MaxSampleSize" => nameof(FailureDetectorMaxSampleSize),
            "MinStdDeviation" => nameof(FailureDetectorMinStdDeviation),
            "AcceptableHeartbeatPause" => nameof(FailureDetectorAcceptableHeartbeatPause),
            "FirstHeartbeatEstimate" => nameof(FailureDetectorFirstHeartbeatEstimate),
            "Mode" => nameof(EncryptionMode),
            "Keys" or "primary" or "accepted" => nameof(EncryptionKeys),
            _ => settingName,
        };
        return Entries().Any(e => e.Option == option) ? option : null;
    }

    // Every option that is set: its name, its HOCON path under `scuttlebutt` and its value as HOCON. The one table
    // both the rendering and the error messages read.
    private List<(string Option, string Path, string Value)> Entries()
    {
        var entries = new List<(string, string, string)>();
        if (Preset is { } preset)
            entries.Add((nameof(Preset), "preset", Defined(preset, nameof(Preset)).ToString().ToLowerInvariant()));
        Text(nameof(NodeId), "node-id", NodeId);
        Text(nameof(ClusterName), "cluster-name", ClusterName);
        if (Generation is { } generation)
            entries.Add((nameof(Generation), "generation", HoconText.Number(generation)));
        Text(nameof(Bind), "bind", Bind);
        Text(nameof(Advertise), "advertise", Advertise);
        if (Seeds is not null)
            entries.Add((nameof(Seeds), "seeds", HoconText.List(NoNulls(Seeds, nameof(Seeds)))));
        if (InitialState is not null)
            entries.Add((nameof(InitialState), "initial-state", HoconText.Map(NoNullValues(InitialState, nameof(InitialState)))));
        Duration(nameof(GossipInterval), "gossip-interval", GossipInterval);
        Integer(nameof(MaxDatagramBytes), "max-datagram-bytes", MaxDatagramBytes);
        Real(nameof(DownPeerGossipProbability), "down-peer-gossip-probability", DownPeerGossipProbability);
        Real(nameof(SeedGossipProbability), "seed-gossip-probability", SeedGossipProbability);
        Duration(nameof(TombstoneGracePeriod), "tombstone-grace-period", TombstoneGracePeriod);
        Duration(nameof(RemovedPeerMemory), "removed-peer-memory", RemovedPeerMemory);
        Integer(nameof(LeaveRounds), "leave-rounds", LeaveRounds);
        Real(nameof(FailureDetectorThreshold), "failure-detector.threshold", FailureDetectorThreshold);
        Real(nameof(FailureDetectorSuspicionThreshold), "failure-detector.suspicion-threshold", FailureDetectorSuspicionThreshold);
        Integer(nameof(FailureDetectorCorroborations), "failure-detector.corroborations", FailureDetectorCorroborations);
        Integer(nameof(FailureDetectorMaxSampleSize), "failure-detector.max-sample-size", FailureDetectorMaxSampleSize);
        Duration(nameof(FailureDetectorMinStdDeviation), "failure-detector.min-std-deviation", FailureDetectorMinStdDeviation);
        Duration(nameof(FailureDetectorAcceptableHeartbeatPause), "failure-detector.acceptable-heartbeat-pause", FailureDetectorAcceptableHeartbeatPause);
        Duration(nameof(FailureDetectorFirstHeartbeatEstimate), "failure-detector.first-heartbeat-estimate", FailureDetectorFirstHeartbeatEstimate);
        Duration(nameof(DownExpiry), "failure-detector.down-expiry", DownExpiry);
        Duration(nameof(LeftExpiry), "failure-detector.left-expiry", LeftExpiry);
        if (EagerPush is { } eager)
            entries.Add((nameof(EagerPush), "eager-push.enabled", HoconText.Boolean(eager)));
        Integer(nameof(EagerPushFanout), "eager-push.fanout", EagerPushFanout);
        Integer(nameof(MaxKeyBytes), "limits.max-key-bytes", MaxKeyBytes);
        Integer(nameof(MaxValueBytes), "limits.max-value-bytes", MaxValueBytes);
        Integer(nameof(MaxKeysPerNode), "limits.max-keys-per-node", MaxKeysPerNode);
        Integer(nameof(MaxNodes), "limits.max-nodes", MaxNodes);
        if (EncryptionMode is { } mode)
            entries.Add((nameof(EncryptionMode), "encryption.mode", Defined(mode, nameof(EncryptionMode)) switch
            {
                Protocol.EncryptionMode.Off => "off",
                Protocol.EncryptionMode.AcceptEncrypted => "accept-encrypted",
                Protocol.EncryptionMode.SendEncrypted => "send-encrypted",
                _ => "required",
            }));
        if (EncryptionKeys is not null)
            entries.Add((nameof(EncryptionKeys), "encryption.keys", HoconText.List(NoNulls(EncryptionKeys, nameof(EncryptionKeys)))));
        Integer(nameof(ReceiveBufferBytes), "transport.receive-buffer-bytes", ReceiveBufferBytes);
        Integer(nameof(SendBufferBytes), "transport.send-buffer-bytes", SendBufferBytes);
        if (UseSocketLoop is { } loop)
        {
            // The socket loop's executor is named once, in reference.conf; read it from there.
            var executor = loop ? ScuttlebuttSettings.DefaultConfig().GetString("scuttlebutt.io-dispatcher.executor") : "default-executor";
            entries.Add((nameof(UseSocketLoop), "io-dispatcher.executor", HoconText.Quote(executor)));
        }

        return entries;

        void Text(string option, string path, string? value)
        {
            if (value is null)
                return;
            // An empty id, cluster or address would silently mean "the default" in HOCON: refuse it instead.
            if (string.IsNullOrWhiteSpace(value))
                throw new ArgumentException($"ScuttlebuttOptions.{option} must not be empty or blank; leave it null for the default.", option);
            entries.Add((option, path, HoconText.Quote(value)));
        }

        void Duration(string option, string path, TimeSpan? value)
        {
            if (value is not { } v)
                return;
            if (v < TimeSpan.Zero)
                throw new ArgumentOutOfRangeException(option, v, $"ScuttlebuttOptions.{option} must not be negative.");
            entries.Add((option, path, HoconText.Duration(v)));
        }

        void Integer(string option, string path, int? value)
        {
            if (value is { } v)
                entries.Add((option, path, HoconText.Number(v)));
        }

        void Real(string option, string path, double? value)
        {
            if (value is not { } v)
                return;
            if (!double.IsFinite(v))
                throw new ArgumentOutOfRangeException(option, v, $"ScuttlebuttOptions.{option} must be a finite number.");
            entries.Add((option, path, HoconText.Number(v)));
        }
    }

    private static T Defined<T>(T value, string option)
        where T : struct, Enum =>
        Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(option, value, $"ScuttlebuttOptions.{option} is not one of {string.Join(", ", Enum.GetNames<T>())}.");

    private static IEnumerable<string> NoNulls(IList<string> values, string option) =>
        values.Any(v => v is null) ? throw new ArgumentException($"ScuttlebuttOptions.{option} must not contain null.", option) : values;

    private static IEnumerable<KeyValuePair<string, string>> NoNullValues(IDictionary<string, string> map, string option) =>
        map.Any(p => p.Value is null) ? throw new ArgumentException($"ScuttlebuttOptions.{option} must not hold a null value.", option) : map;
}
