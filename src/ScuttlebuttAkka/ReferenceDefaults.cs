using Akka.Configuration;
using ScuttlebuttAkka.Protocol;

namespace ScuttlebuttAkka;

/// <summary>
/// The defaults of the embedded reference.conf, read once: the only place a default value lives. Settings built in code
/// (<c>new ScuttlebuttSettings()</c>, <c>LivenessSettings.Default</c>, <c>FailureDetectorSettings.Default</c>,
/// <c>ProtocolLimits.Default</c>) start from these, which are the default preset's (lan) values, so code and HOCON
/// cannot disagree. Plain values only: the settings records read them in their initializers.
/// </summary>
internal static class ReferenceDefaults
{
    /// <summary>The whole embedded reference configuration.</summary>
    public static readonly Config Reference = Load();

    /// <summary>The <c>scuttlebutt</c> section as the default preset resolves it.</summary>
    public static readonly Config Section = Resolve(Reference.GetConfig("scuttlebutt"));

    public static readonly string ClusterName = Section.GetString("cluster-name");
    public static readonly string Bind = Section.GetString("bind");
    public static readonly TimeSpan GossipInterval = Section.GetTimeSpan("gossip-interval");
    public static readonly int MaxDatagramBytes = Section.GetInt("max-datagram-bytes");
    public static readonly double DownPeerGossipProbability = Section.GetDouble("down-peer-gossip-probability");
    public static readonly double SeedGossipProbability = Section.GetDouble("seed-gossip-probability");
    public static readonly TimeSpan TombstoneGracePeriod = Section.GetTimeSpan("tombstone-grace-period");
    public static readonly TimeSpan RemovedPeerMemory = Section.GetTimeSpan("removed-peer-memory");
    public static readonly int LeaveRounds = Section.GetInt("leave-rounds");
    public static readonly bool EagerPush = Section.GetBoolean("eager-push.enabled");
    public static readonly int EagerPushFanout = Section.GetInt("eager-push.fanout");
    public static readonly int ReceiveBufferBytes = Section.GetInt("transport.receive-buffer-bytes");
    public static readonly int SendBufferBytes = Section.GetInt("transport.send-buffer-bytes");

    public static readonly double Threshold = Section.GetDouble("failure-detector.threshold");
    public static readonly double SuspicionThreshold = Section.GetDouble("failure-detector.suspicion-threshold");
    public static readonly int Corroborations = Section.GetInt("failure-detector.corroborations");
    public static readonly int MaxSampleSize = Section.GetInt("failure-detector.max-sample-size");
    public static readonly TimeSpan MinStdDeviation = Section.GetTimeSpan("failure-detector.min-std-deviation");
    public static readonly TimeSpan AcceptableHeartbeatPause = Section.GetTimeSpan("failure-detector.acceptable-heartbeat-pause");
    public static readonly TimeSpan FirstHeartbeatEstimate = Section.GetTimeSpan("failure-detector.first-heartbeat-estimate");
    public static readonly TimeSpan DownExpiry = Section.GetTimeSpan("failure-detector.down-expiry");
    public static readonly TimeSpan LeftExpiry = Section.GetTimeSpan("failure-detector.left-expiry");

    public static readonly int MaxKeyBytes = Section.GetInt("limits.max-key-bytes");
    public static readonly int MaxValueBytes = Section.GetInt("limits.max-value-bytes");
    public static readonly int MaxKeysPerNode = Section.GetInt("limits.max-keys-per-node");
    public static readonly int MaxNodes = Section.GetInt("limits.max-nodes");

    /// <summary>
    /// <paramref name="section"/> (a <c>scuttlebutt</c> block over the reference one) with its chosen preset's values
    /// underneath: a key set directly in the section wins over the preset.
    /// </summary>
    public static Config Resolve(Config section)
    {
        var preset = section.GetString("preset", "lan").ToLowerInvariant();
        if (!section.HasPath("presets." + preset))
            throw new ConfigurationException($"scuttlebutt.preset = '{preset}' is not one of local, lan, wan.");
        return section.WithFallback(section.GetConfig("presets." + preset));
    }

    private static Config Load()
    {
        using var stream = typeof(ReferenceDefaults).Assembly.GetManifestResourceStream("ScuttlebuttAkka.reference.conf")
            ?? throw new InvalidOperationException("The embedded reference.conf is missing from the ScuttlebuttAkka assembly.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
