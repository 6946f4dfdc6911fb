using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Wire;
using ScuttlebuttAkka.Seeds;

namespace ScuttlebuttAkka;

/// <summary>
/// Everything one node needs to run, read from the <c>scuttlebutt { }</c> HOCON section (over the embedded
/// reference.conf) or built in code from a preset. Immutable: change it with <c>with { ... }</c>.
/// </summary>
public sealed partial record ScuttlebuttSettings
{
    /// <summary>For one machine: tests and demos. 100 ms rounds and fast failure detection.</summary>
    public static ScuttlebuttSettings Local => FromPreset("local");

    /// <summary>For a data centre network: the default. 500 ms rounds, a crash reported in a few seconds.</summary>
    public static ScuttlebuttSettings Lan => FromPreset("lan");

    /// <summary>For links across regions: slow rounds and a tolerant failure detector.</summary>
    public static ScuttlebuttSettings Wan => FromPreset("wan");

    /// <summary>This node's id (at most 256 UTF-8 bytes).</summary>
    public string NodeId { get; init; } = DefaultNodeId();

    /// <summary>Nodes only gossip within one cluster name.</summary>
    public string ClusterName { get; init; } = ReferenceDefaults.ClusterName;

    /// <summary>This incarnation; 0 means "now in Unix milliseconds", so a restart comes back higher.</summary>
    public long Generation { get; init; }

    /// <summary>Where the UDP socket binds ("host:port"; port 0 picks a free port).</summary>
    public string Bind { get; init; } = ReferenceDefaults.Bind;

    /// <summary>The address peers use to reach this node; null means the bound address.</summary>
    public string? Advertise { get; init; }

    /// <summary>Static seed addresses ("host:port"); ignored when <see cref="SeedProvider"/> is set.</summary>
    public IReadOnlyList<string> Seeds { get; init; } = Array.Empty<string>();

    /// <summary>Where seeds come from when the node is alone; null means <see cref="Seeds"/>.</summary>
    public ISeedProvider? SeedProvider { get; init; }

    /// <summary>Key/values set before the node first gossips.</summary>
    public IReadOnlyDictionary<string, string> InitialState { get; init; } = new Dictionary<string, string>();

    /// <summary>How often this node starts a round (and bumps its heartbeat).</summary>
    public TimeSpan GossipInterval { get; init; } = ReferenceDefaults.GossipInterval;

    /// <summary>No datagram this node sends is longer than this.</summary>
    public int MaxDatagramBytes { get; init; } = ReferenceDefaults.MaxDatagramBytes;

    /// <summary>Chance per round of gossiping with a down peer instead, to notice when it recovers.</summary>
    public double DownPeerGossipProbability { get; init; } = ReferenceDefaults.DownPeerGossipProbability;

    /// <summary>Chance per round of also contacting a seed, to heal partitions.</summary>
    public double SeedGossipProbability { get; init; } = ReferenceDefaults.SeedGossipProbability;

    /// <summary>How long a tombstone is kept before it is collected.</summary>
    public TimeSpan TombstoneGracePeriod { get; init; } = ReferenceDefaults.TombstoneGracePeriod;

    /// <summary>How long a removed peer's incarnation is remembered so late gossip cannot bring it back.</summary>
    public TimeSpan RemovedPeerMemory { get; init; } = ReferenceDefaults.RemovedPeerMemory;

    /// <summary>Rounds a leaving node keeps gossiping after announcing its leave.</summary>
    public int LeaveRounds { get; init; } = ReferenceDefaults.LeaveRounds;

    /// <summary>The failure detector and how long down or left peers are kept.</summary>
    public LivenessSettings Liveness { get; init; } = LivenessSettings.Default;

    /// <summary>Whether fresh local writes are pushed at once to <see cref="EagerPushFanout"/> live peers, who forward what is new to them.</summary>
    public bool EagerPush { get; init; } = ReferenceDefaults.EagerPush;

    /// <summary>How many live peers get each eagerly pushed write.</summary>
    public int EagerPushFanout { get; init; } = ReferenceDefaults.EagerPushFanout;

    /// <summary>Limits on keys, values, keys per node and nodes tracked.</summary>
    public ProtocolLimits Limits { get; init; } = ProtocolLimits.Default;

    /// <summary>Optional AES-GCM encryption; null means plaintext.</summary>
    public EncryptionSettings? Encryption { get; init; }

    /// <summary>The UDP socket's receive buffer.</summary>
    public int ReceiveBufferBytes { get; init; } = ReferenceDefaults.ReceiveBufferBytes;

    /// <summary>The UDP socket's send buffer.</summary>
    public int SendBufferBytes { get; init; } = ReferenceDefaults.SendBufferBytes;

    /// <summary>The clock the node reads; replace it only in tests and simulations.</summary>
    internal IClock Clock { get; init; } = SystemClock.Instance;

    /// <summary>Seed of the node's random choices; null means unpredictable. Set it for reproducible tests.</summary>
    public int? RandomSeed { get; init; }

    /// <summary>Reads the <c>scuttlebutt</c> section of <paramref name="system"/>'s configuration over the defaults.</summary>
    public static ScuttlebuttSettings Create(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return FromConfig(system.Settings.Config);
    }

    /// <summary>Reads the <c>scuttlebutt</c> section of <paramref name="config"/> (a root config) over the defaults.</summary>
    public static ScuttlebuttSettings FromConfig(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var root = config.WithFallback(ReferenceDefaults.Reference);
        // Every key has its value in reference.conf (directly or through the preset), so nothing is defaulted here.
        var c = ReferenceDefaults.Resolve(root.GetConfig("scuttlebutt"));
        var fd = c.GetConfig("failure-detector");

        var nodeId = c.GetString("node-id");
        var advertise = c.GetString("advertise");
        var settings = new ScuttlebuttSettings
        {
            NodeId = string.IsNullOrEmpty(nodeId) ? DefaultNodeId() : nodeId,
            ClusterName = c.GetString("cluster-name"),
            Generation = c.GetLong("generation"),
            Bind = c.GetString("bind"),
            Advertise = string.IsNullOrEmpty(advertise) ? null : advertise,
            Seeds = c.GetStringList("seeds").ToArray(),
            InitialState = ReadMap(c, "initial-state"),
            GossipInterval = c.GetTimeSpan("gossip-interval", null, false),
            MaxDatagramBytes = c.GetInt("max-datagram-bytes"),
            DownPeerGossipProbability = c.GetDouble("down-peer-gossip-probability"),
            SeedGossipProbability = c.GetDouble("seed-gossip-probability"),
            TombstoneGracePeriod = c.GetTimeSpan("tombstone-grace-period", null, false),
            RemovedPeerMemory = c.GetTimeSpan("removed-peer-memory", null, false),
            LeaveRounds = c.GetInt("leave-rounds"),
            Liveness = new LivenessSettings
            {
                Detector = new FailureDetectorSettings
                {
                    Threshold = fd.GetDouble("threshold"),
                    SuspicionThreshold = fd.GetDouble("suspicion-threshold"),
                    Corroborations = fd.GetInt("corroborations"),
                    MaxSampleSize = fd.GetInt("max-sample-size"),
                    MinStdDeviation = fd.GetTimeSpan("min-std-deviation", null, false),
                    AcceptableHeartbeatPause = fd.GetTimeSpan("acceptable-heartbeat-pause", null, false),
                    FirstHeartbeatEstimate = fd.GetTimeSpan("first-heartbeat-estimate", null, false),
                },
                DownExpiry = fd.GetTimeSpan("down-expiry", null, false),
                LeftExpiry = fd.GetTimeSpan("left-expiry", null, false),
            },
            EagerPush = c.GetBoolean("eager-push.enabled"),
            EagerPushFanout = c.GetInt("eager-push.fanout"),
            Limits = new ProtocolLimits
            {
                MaxKeyBytes = c.GetInt("limits.max-key-bytes"),
                MaxValueBytes = c.GetInt("limits.max-value-bytes"),
                MaxKeysPerNode = c.GetInt("limits.max-keys-per-node"),
                MaxNodes = c.GetInt("limits.max-nodes"),
            },
            Encryption = ReadEncryption(c.GetConfig("encryption")),
            ReceiveBufferBytes = c.GetInt("transport.receive-buffer-bytes"),
            SendBufferBytes = c.GetInt("transport.send-buffer-bytes"),
        };
        return settings;
    }

    /// <summary>The embedded reference configuration holding every default.</summary>
    public static Config DefaultConfig() => ReferenceDefaults.Reference;

    /// <summary>
    /// Checks every setting and throws <see cref="ArgumentException"/> naming the first that is wrong. Also checks that
    /// the largest allowed key and value fit in one datagram, since a pair that cannot be sent would stall its node.
    /// </summary>
    public ScuttlebuttSettings Validate()
    {
        ProtocolLimits.ValidateNodeId(NodeId, nameof(NodeId));
        ArgumentException.ThrowIfNullOrEmpty(ClusterName, nameof(ClusterName));
        if (Generation < 0)
            throw new ArgumentOutOfRangeException(nameof(Generation), Generation, "Generation must be 0 (automatic) or positive.");
        ProtocolLimits.ValidateAddress(Bind, nameof(Bind));
        if (!GossipAddress.TryParseEndPoint(Bind, out _))
            throw new ArgumentException($"Bind must be an IP literal and port, e.g. 0.0.0.0:7474 or [::]:7474; got '{Bind}'.", nameof(Bind));
        if (Advertise is not null)
        {
            ProtocolLimits.ValidateAddress(Advertise, nameof(Advertise));
            if (GossipAddress.TryParse(Advertise, out _, out var port) && port == 0)
                throw new ArgumentException("Advertise must name a real port, not 0.", nameof(Advertise));
        }

        ArgumentNullException.ThrowIfNull(Seeds, nameof(Seeds));
        foreach (var seed in Seeds)
            ProtocolLimits.ValidateAddress(seed, nameof(Seeds));
        ArgumentNullException.ThrowIfNull(InitialState, nameof(InitialState));
        Limits.Validate();
        foreach (var (key, value) in InitialState)
        {
            Limits.ValidateKey(key, nameof(InitialState));
            Limits.ValidateValue(value, nameof(InitialState));
        }

        if (GossipInterval <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(GossipInterval), GossipInterval, "GossipInterval must be positive.");
        if (MaxDatagramBytes is < WireFormat.MinimumBudget or > WireFormat.MaximumBudget)
            throw new ArgumentOutOfRangeException(nameof(MaxDatagramBytes), MaxDatagramBytes, $"MaxDatagramBytes must be between {WireFormat.MinimumBudget} and {WireFormat.MaximumBudget}.");
        var worstPair = WorstCaseSinglePairMessage(Limits);
        var budget = CreateCodec().MessageBudget;
        if (worstPair > budget)
            throw new ArgumentException(
                $"MaxDatagramBytes {MaxDatagramBytes} leaves {budget} bytes per message, but one pair with the largest key ({Limits.MaxKeyBytes} B) and value ({Limits.MaxValueBytes} B) can need {worstPair}: raise MaxDatagramBytes or lower the limits.",
                nameof(MaxDatagramBytes));
        if (DownPeerGossipProbability is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(DownPeerGossipProbability), DownPeerGossipProbability, "DownPeerGossipProbability must be between 0 and 1.");
        if (SeedGossipProbability is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(SeedGossipProbability), SeedGossipProbability, "SeedGossipProbability must be between 0 and 1.");
        if (TombstoneGracePeriod <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(TombstoneGracePeriod), TombstoneGracePeriod, "TombstoneGracePeriod must be positive.");
        if (RemovedPeerMemory < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(RemovedPeerMemory), RemovedPeerMemory, "RemovedPeerMemory must not be negative.");
        if (LeaveRounds is < 0 or > 100)
            throw new ArgumentOutOfRangeException(nameof(LeaveRounds), LeaveRounds, "LeaveRounds must be between 0 and 100.");
        if (EagerPushFanout is < 0 or > 64)
            throw new ArgumentOutOfRangeException(nameof(EagerPushFanout), EagerPushFanout, "EagerPushFanout must be between 0 and 64.");
        if (ReceiveBufferBytes < 4096 || SendBufferBytes < 4096)
            throw new ArgumentOutOfRangeException(ReceiveBufferBytes < 4096 ? nameof(ReceiveBufferBytes) : nameof(SendBufferBytes), "Socket buffers must be at least 4096 bytes.");
        ArgumentNullException.ThrowIfNull(Liveness, nameof(Liveness));
        Liveness.Validate();
        // Peers remove a dead node at slightly different times; until the last one has, relayed copies of its last
        // state keep arriving, and a shorter memory would let them bring it back.
        var expiry = Liveness.DownExpiry > Liveness.LeftExpiry ? Liveness.DownExpiry : Liveness.LeftExpiry;
        if (RemovedPeerMemory <= expiry)
            throw new ArgumentOutOfRangeException(nameof(RemovedPeerMemory), RemovedPeerMemory, $"RemovedPeerMemory must be longer than the down and left expiries ({expiry}), or removed peers can come back.");
        ArgumentNullException.ThrowIfNull(Clock, nameof(Clock));
        return this;
    }

    /// <summary>The datagram codec these settings describe (cluster, size limit, limits, encryption).</summary>
    internal DatagramCodec CreateCodec() => new(ClusterName, MaxDatagramBytes, Limits, Encryption);

    /// <summary>The seed provider in force: <see cref="SeedProvider"/>, else the static <see cref="Seeds"/>.</summary>
    internal ISeedProvider EffectiveSeedProvider() => SeedProvider ?? new StaticSeedProvider(Seeds);

    /// <summary>The generation to use: <see cref="Generation"/>, or the current Unix time in milliseconds.</summary>
    internal long EffectiveGeneration() => Generation > 0 ? Generation : DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>
    /// The address to advertise for a socket bound at <paramref name="bound"/>: <see cref="Advertise"/> if set; else
    /// the bound address, with an unspecified address replaced by this machine's first non-loopback one.
    /// </summary>
    internal string EffectiveAdvertise(IPEndPoint bound)
    {
        ArgumentNullException.ThrowIfNull(bound);
        if (Advertise is not null)
            return Advertise;
        if (!bound.Address.Equals(IPAddress.Any) && !bound.Address.Equals(IPAddress.IPv6Any))
            return GossipAddress.Format(bound);
        var family = bound.AddressFamily;
        var candidate = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == family && !a.IsIPv6LinkLocal);
        var address = candidate ?? (family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback);
        return GossipAddress.Format(new IPEndPoint(address, bound.Port));
    }

    internal static int WorstCaseSinglePairMessage(ProtocolLimits limits)
    {
        var maxString = (int n) => WireFormat.VarIntSize((ulong)n) + n;
        var nodeHeader = maxString(ProtocolLimits.MaxNodeIdBytesHardLimit) + 10 + 1 + maxString(ProtocolLimits.MaxAddressBytes) + 10 + 10 + 10 + 10;
        var pair = maxString(limits.MaxKeyBytes) + 10 + maxString(limits.MaxValueBytes);
        // The step-2 reply digest may take up to half the room, so one pair must fit in the other half... unless the
        // reply has nothing else to carry; we require the conservative bound only for the delta-only messages.
        return WireFormat.HeaderSize + 3 + nodeHeader + 3 + pair;
    }

    private static ScuttlebuttSettings FromPreset(string preset) =>
        FromConfig(ConfigurationFactory.ParseString($"scuttlebutt.preset = {preset}"));

    private static string DefaultNodeId() =>
        Environment.MachineName.ToLowerInvariant() + "-" + Guid.NewGuid().ToString("N")[..8];

    private static Dictionary<string, string> ReadMap(Config c, string path)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!c.HasPath(path))
            return map;
        foreach (var (key, value) in c.GetConfig(path).AsEnumerable())
            map[key] = value.GetString();
        return map;
    }

    private static EncryptionSettings? ReadEncryption(Config c)
    {
        var mode = c.GetString("mode", "off").ToLowerInvariant();
        var keys = c.GetStringList("keys", Array.Empty<string>());
        var parsed = mode switch
        {
            "off" => EncryptionMode.Off,
            "accept-encrypted" => EncryptionMode.AcceptEncrypted,
            "send-encrypted" => EncryptionMode.SendEncrypted,
            "required" => EncryptionMode.Required,
            _ => throw new ConfigurationException($"scuttlebutt.encryption.mode = '{mode}' is not one of off, accept-encrypted, send-encrypted, required."),
        };
        if (parsed == EncryptionMode.Off && keys.Count == 0)
            return null;
        if (keys.Count == 0)
            throw new ConfigurationException($"scuttlebutt.encryption.mode = {mode} needs at least one key in scuttlebutt.encryption.keys.");
        return new EncryptionSettings(KeyRing.FromBase64(keys[0], keys.Skip(1).ToArray()), parsed);
    }

    internal string DescribeForLog() => string.Create(CultureInfo.InvariantCulture,
        $"node-id={NodeId} cluster={ClusterName} bind={Bind} advertise={Advertise ?? "(bound)"} interval={GossipInterval.TotalMilliseconds}ms max-datagram={MaxDatagramBytes}B encryption={(Encryption?.Mode.ToString() ?? "off")}");
}
