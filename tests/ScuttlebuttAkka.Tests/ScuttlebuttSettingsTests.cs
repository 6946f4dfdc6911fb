using Akka.Configuration;
using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Tests;

public sealed class ScuttlebuttSettingsTests
{
    [Fact]
    public void Presets_are_whole_valid_configurations_that_differ_where_the_environment_does()
    {
        var local = ScuttlebuttSettings.Local.Validate();
        var lan = ScuttlebuttSettings.Lan.Validate();
        var wan = ScuttlebuttSettings.Wan.Validate();
        Assert.True(local.GossipInterval < lan.GossipInterval);
        Assert.True(lan.GossipInterval < wan.GossipInterval);
        Assert.True(wan.Liveness.Detector.Threshold > lan.Liveness.Detector.Threshold);
        Assert.True(wan.Liveness.DownExpiry > lan.Liveness.DownExpiry);
    }

    [Fact]
    public void The_default_is_the_lan_preset()
    {
        var defaults = ScuttlebuttSettings.FromConfig(Config.Empty);
        Assert.Equal(ScuttlebuttSettings.Lan.GossipInterval, defaults.GossipInterval);
        Assert.Equal(ScuttlebuttSettings.Lan.Liveness, defaults.Liveness);
    }

    [Fact]
    public void Hocon_keys_override_the_preset_and_everything_is_read()
    {
        var config = ConfigurationFactory.ParseString("""
            scuttlebutt {
              preset = local
              node-id = "web-1"
              cluster-name = "prod"
              generation = 42
              bind = "127.0.0.1:0"
              advertise = "10.0.0.5:7474"
              seeds = ["10.0.0.1:7474", "10.0.0.2:7474"]
              initial-state { role = "web", "routing.addr" = "10.0.0.5:80" }
              gossip-interval = 250ms
              failure-detector.threshold = 10
              failure-detector.suspicion-threshold = 2.5
              failure-detector.corroborations = 3
              limits.max-value-bytes = 300
              eager-push.fanout = 3
            }
            """);
        var s = ScuttlebuttSettings.FromConfig(config).Validate();
        Assert.Equal("web-1", s.NodeId);
        Assert.Equal("prod", s.ClusterName);
        Assert.Equal(42, s.Generation);
        Assert.Equal("10.0.0.5:7474", s.Advertise);
        Assert.Equal(new[] { "10.0.0.1:7474", "10.0.0.2:7474" }, s.Seeds);
        Assert.Equal("web", s.InitialState["role"]);
        Assert.Equal("10.0.0.5:80", s.InitialState["routing.addr"]);
        Assert.Equal(TimeSpan.FromMilliseconds(250), s.GossipInterval);
        Assert.Equal(10, s.Liveness.Detector.Threshold);
        Assert.Equal(2.5, s.Liveness.Detector.SuspicionThreshold);
        Assert.Equal(3, s.Liveness.Detector.Corroborations);
        Assert.Equal(300, s.Limits.MaxValueBytes);
        Assert.Equal(3, s.EagerPushFanout);
        // Not overridden: still the local preset's value.
        Assert.Equal(ScuttlebuttSettings.Local.Liveness.DownExpiry, s.Liveness.DownExpiry);
    }

    [Fact]
    public void An_unknown_preset_is_a_clear_error()
    {
        var ex = Assert.Throws<ConfigurationException>(() => ScuttlebuttSettings.FromConfig(ConfigurationFactory.ParseString("scuttlebutt.preset = moon")));
        Assert.Contains("moon", ex.Message);
    }

    [Theory]
    [InlineData("", "NodeId")]
    [InlineData("bind:nope", "Bind")]
    [InlineData("seed", "Seeds")]
    [InlineData("interval", "GossipInterval")]
    [InlineData("datagram", "MaxDatagramBytes")]
    [InlineData("value", "MaxDatagramBytes")]
    [InlineData("initial", "InitialState")]
    [InlineData("memory", "RemovedPeerMemory")]
    public void Invalid_settings_fail_fast_naming_the_setting(string what, string expectedParam)
    {
        var s = ScuttlebuttSettings.Local with { NodeId = "n", Bind = "127.0.0.1:0" };
        s = what switch
        {
            "" => s with { NodeId = "" },
            "bind:nope" => s with { Bind = "nope" },
            "seed" => s with { Seeds = new[] { "not an address" } },
            "interval" => s with { GossipInterval = TimeSpan.Zero },
            "datagram" => s with { MaxDatagramBytes = 10 },
            "value" => s with { Limits = s.Limits with { MaxValueBytes = 4000 } },
            "initial" => s with { InitialState = new Dictionary<string, string> { [""] = "x" } },
            "memory" => s with { RemovedPeerMemory = s.Liveness.DownExpiry },
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };
        var ex = Assert.ThrowsAny<ArgumentException>(() => s.Validate());
        Assert.Equal(expectedParam, ex.ParamName);
    }

    [Fact]
    public void A_node_id_over_256_bytes_is_rejected_with_its_size()
    {
        var s = ScuttlebuttSettings.Local with { NodeId = new string('é', 129), Bind = "127.0.0.1:0" };
        var ex = Assert.Throws<ArgumentException>(() => s.Validate());
        Assert.Contains("258", ex.Message);
    }

    [Fact]
    public void The_unspecified_bind_address_advertises_a_concrete_one()
    {
        var s = ScuttlebuttSettings.Local with { NodeId = "n" };
        var advertised = s.EffectiveAdvertise(new System.Net.IPEndPoint(System.Net.IPAddress.Any, 7474));
        Assert.True(GossipAddress.TryParseEndPoint(advertised, out var ep));
        Assert.NotEqual(System.Net.IPAddress.Any, ep!.Address);
        Assert.Equal(7474, ep.Port);
    }

    [Fact]
    public void Settings_built_in_code_start_from_the_reference_conf_defaults()
    {
        // The default preset, read from reference.conf, and every default built in code, must be the same values.
        var lan = ScuttlebuttSettings.Lan;
        Assert.Equal(Normalized(lan), Normalized(new ScuttlebuttSettings()));
        Assert.Equal(lan.Liveness, LivenessSettings.Default);
        Assert.Equal(lan.Liveness.Detector, FailureDetectorSettings.Default);
        Assert.Equal(lan.Limits, ProtocolLimits.Default);
        Assert.Equal(Normalized(lan), Normalized(ScuttlebuttSettings.FromConfig(Config.Empty)));
    }

    [Fact]
    public void Every_reference_conf_key_maps_to_a_setting_and_every_setting_back_to_its_key()
    {
        var reference = ScuttlebuttSettings.DefaultConfig().GetConfig("scuttlebutt");
        var keys = Leaves(reference, "").Where(k => k != "preset" && !k.StartsWith("presets.", StringComparison.Ordinal) && !k.StartsWith("io-dispatcher.", StringComparison.Ordinal)).ToHashSet();
        keys.UnionWith(Leaves(reference.GetConfig("presets.lan"), ""));
        foreach (var preset in new[] { "local", "wan" })
            Assert.Equal(Leaves(reference.GetConfig("presets.lan"), "").Order(), Leaves(reference.GetConfig("presets." + preset), "").Order());

        var written = Leaves(ConfigurationFactory.ParseString(ScuttlebuttSettings.Lan.ToHocon()).GetConfig("scuttlebutt"), "").ToHashSet();
        Assert.Equal(keys.Order(), written.Order());
    }

    [Fact]
    public void Every_setting_survives_a_trip_through_hocon_and_every_key_is_read()
    {
        var changed = ScuttlebuttSettings.Lan with
        {
            NodeId = "web \"1\"",
            ClusterName = "prod",
            Generation = 77,
            Bind = "127.0.0.1:9000",
            Advertise = "10.0.0.5:9000",
            Seeds = ["10.0.0.1:9000", "10.0.0.2:9000"],
            InitialState = new Dictionary<string, string> { ["role"] = "web", ["routing.addr"] = "10.0.0.5:80" },
            GossipInterval = TimeSpan.FromMilliseconds(333),
            MaxDatagramBytes = 1300,
            DownPeerGossipProbability = 0.25,
            SeedGossipProbability = 0.125,
            TombstoneGracePeriod = TimeSpan.FromSeconds(77),
            RemovedPeerMemory = TimeSpan.FromMinutes(9),
            LeaveRounds = 7,
            Liveness = new LivenessSettings
            {
                Detector = new FailureDetectorSettings
                {
                    Threshold = 9.5,
                    SuspicionThreshold = 1.5,
                    Corroborations = 4,
                    MaxSampleSize = 500,
                    MinStdDeviation = TimeSpan.FromMilliseconds(123),
                    AcceptableHeartbeatPause = TimeSpan.FromMilliseconds(1234),
                    FirstHeartbeatEstimate = TimeSpan.FromMilliseconds(345),
                },
                DownExpiry = TimeSpan.FromSeconds(99),
                LeftExpiry = TimeSpan.FromSeconds(44),
            },
            EagerPush = false,
            EagerPushFanout = 5,
            Limits = new ProtocolLimits { MaxKeyBytes = 100, MaxValueBytes = 400, MaxKeysPerNode = 300, MaxNodes = 5000 },
            Encryption = new EncryptionSettings(KeyRing.Create(KeyRing.GenerateKey(), KeyRing.GenerateKey(16)), EncryptionMode.SendEncrypted),
            ReceiveBufferBytes = 65536,
            SendBufferBytes = 32768,
        };
        changed.Validate();

        var back = ScuttlebuttSettings.FromConfig(ConfigurationFactory.ParseString(changed.ToHocon()));
        Assert.Equal(changed.ToHocon(), back.ToHocon());
        // Every line differs from the default, so a key that were not read (or not written) would show here.
        var defaults = ScuttlebuttSettings.Lan.ToHocon().Split('\n');
        var lines = changed.ToHocon().Split('\n');
        Assert.All(lines.Zip(defaults).Where(p => p.First.Contains('=')), p => Assert.NotEqual(p.Second, p.First));
    }

    private static string Normalized(ScuttlebuttSettings s) => (s with { NodeId = "x" }).ToHocon();

    private static IEnumerable<string> Leaves(Config config, string prefix)
    {
        foreach (var (key, value) in config.AsEnumerable())
        {
            var path = prefix.Length == 0 ? key : prefix + "." + key;
            // initial-state is a map of the application's keys, a leaf of the settings; other objects are sections.
            if (value.IsObject() && path != "initial-state")
            {
                foreach (var leaf in Leaves(config.GetConfig(key), path))
                    yield return leaf;
            }
            else
            {
                yield return path;
            }
        }
    }
}
