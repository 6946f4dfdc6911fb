using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ScuttlebuttAkka.Hosting;
using ScuttlebuttAkka.Protocol;

namespace ScuttlebuttAkka.Tests.Hosting;

public sealed class ScuttlebuttOptionsTests
{
    private static readonly string KeyA = Convert.ToBase64String(KeyRing.GenerateKey(32));
    private static readonly string KeyB = Convert.ToBase64String(KeyRing.GenerateKey(16));

    // Every option set, each to a value that differs from every preset's, and valid together.
    private static ScuttlebuttOptions AllSet() => new()
    {
        Preset = ScuttlebuttPreset.Wan,
        NodeId = "hosted-all",
        ClusterName = "hosting-all",
        Generation = 4242,
        Bind = "127.0.0.1:0",
        Advertise = "127.0.0.1:7999",
        Seeds = new[] { "127.0.0.1:7998", "localhost:7997" },
        InitialState = new Dictionary<string, string> { ["role"] = "api", ["quote\"d"] = "a\\b", ["dotted.key"] = "x\ny" },
        GossipInterval = TimeSpan.FromMilliseconds(150.5),
        MaxDatagramBytes = 1300,
        DownPeerGossipProbability = 0.25,
        SeedGossipProbability = 0.125,
        TombstoneGracePeriod = TimeSpan.FromMinutes(7),
        RemovedPeerMemory = TimeSpan.FromMinutes(9),
        LeaveRounds = 4,
        FailureDetectorThreshold = 9.5,
        FailureDetectorSuspicionThreshold = 2.5,
        FailureDetectorCorroborations = 3,
        FailureDetectorMaxSampleSize = 500,
        FailureDetectorMinStdDeviation = TimeSpan.FromMilliseconds(75),
        FailureDetectorAcceptableHeartbeatPause = TimeSpan.FromMilliseconds(1500),
        FailureDetectorFirstHeartbeatEstimate = TimeSpan.FromMilliseconds(300),
        DownExpiry = TimeSpan.FromMinutes(3),
        LeftExpiry = TimeSpan.FromMinutes(2.5),
        EagerPush = false,
        EagerPushFanout = 5,
        MaxKeyBytes = 100,
        MaxValueBytes = 400,
        MaxKeysPerNode = 2000,
        MaxNodes = 5000,
        EncryptionMode = EncryptionMode.SendEncrypted,
        EncryptionKeys = new[] { KeyA, KeyB },
        ReceiveBufferBytes = 2 * 1024 * 1024,
        SendBufferBytes = 512 * 1024,
        UseSocketLoop = false,
        LeaveOnShutdown = false,
    };

    [Fact]
    public void The_test_sets_every_option()
    {
        var options = AllSet();
        var unset = typeof(ScuttlebuttOptions).GetProperties().Where(p => p.GetValue(options) is null).Select(p => p.Name).ToArray();
        Assert.Empty(unset);
    }

    [Fact]
    public void Every_key_of_reference_conf_has_an_option()
    {
        var reference = ScuttlebuttSettings.DefaultConfig().GetConfig("scuttlebutt");
        // The settings a node reads: the top-level keys, and the keys a preset holds (set directly, they override it).
        // The io-dispatcher block is Akka's; only its executor is a choice the options offer.
        var keys = Leaves(reference, "")
            .Where(k => !k.StartsWith("presets.", StringComparison.Ordinal) && !k.StartsWith("io-dispatcher.", StringComparison.Ordinal))
            .Concat(Leaves(reference.GetConfig("presets.lan"), ""))
            .Append("initial-state")
            .Append("io-dispatcher.executor")
            .Distinct()
            .ToArray();
        var rendered = ConfigurationFactory.ParseString(AllSet().ToHocon()).GetConfig("scuttlebutt");

        var missing = keys.Where(k => !rendered.HasPath(k)).ToArray();
        Assert.True(missing.Length == 0, "reference.conf keys without a ScuttlebuttOptions property: " + string.Join(", ", missing));
        Assert.Contains("failure-detector.corroborations", keys);
    }

    [Fact]
    public async Task Every_option_reaches_the_settings_of_the_hosted_node()
    {
        var options = AllSet();
        using var host = TestHost.Build("hosting-all-options", akka => akka.WithScuttlebutt(options));
        await host.StartAsync();
        try
        {
            var node = host.Services.GetRequiredService<ScuttlebuttNode>();
            var system = host.Services.GetRequiredService<ActorSystem>();
            var s = ScuttlebuttSettings.Create(system);

            Assert.Equal("wan", system.Settings.Config.GetString("scuttlebutt.preset"));
            Assert.Equal("hosted-all", s.NodeId);
            Assert.Equal("hosted-all", node.NodeId);
            Assert.Equal("hosting-all", s.ClusterName);
            Assert.Equal(4242, s.Generation);
            Assert.Equal(4242, node.Generation);
            Assert.Equal("127.0.0.1:0", s.Bind);
            Assert.Equal("127.0.0.1:7999", s.Advertise);
            Assert.Equal("127.0.0.1:7999", node.Address);
            Assert.Equal(new[] { "127.0.0.1:7998", "localhost:7997" }, s.Seeds);
            Assert.Equal(options.InitialState!.OrderBy(p => p.Key), s.InitialState.OrderBy(p => p.Key));
            Assert.Equal("x\ny", node.Lookup("hosted-all", "dotted.key"));
            Assert.Equal(TimeSpan.FromMilliseconds(150.5), s.GossipInterval);
            Assert.Equal(1300, s.MaxDatagramBytes);
            Assert.Equal(0.25, s.DownPeerGossipProbability);
            Assert.Equal(0.125, s.SeedGossipProbability);
            Assert.Equal(TimeSpan.FromMinutes(7), s.TombstoneGracePeriod);
            Assert.Equal(TimeSpan.FromMinutes(9), s.RemovedPeerMemory);
            Assert.Equal(4, s.LeaveRounds);
            var fd = s.Liveness.Detector;
            Assert.Equal(9.5, fd.Threshold);
            Assert.Equal(2.5, fd.SuspicionThreshold);
            Assert.Equal(3, fd.Corroborations);
            Assert.Equal(500, fd.MaxSampleSize);
            Assert.Equal(TimeSpan.FromMilliseconds(75), fd.MinStdDeviation);
            Assert.Equal(TimeSpan.FromMilliseconds(1500), fd.AcceptableHeartbeatPause);
            Assert.Equal(TimeSpan.FromMilliseconds(300), fd.FirstHeartbeatEstimate);
            Assert.Equal(TimeSpan.FromMinutes(3), s.Liveness.DownExpiry);
            Assert.Equal(TimeSpan.FromMinutes(2.5), s.Liveness.LeftExpiry);
            Assert.False(s.EagerPush);
            Assert.Equal(5, s.EagerPushFanout);
            Assert.Equal(100, s.Limits.MaxKeyBytes);
            Assert.Equal(400, s.Limits.MaxValueBytes);
            Assert.Equal(2000, s.Limits.MaxKeysPerNode);
            Assert.Equal(5000, s.Limits.MaxNodes);
            Assert.NotNull(s.Encryption);
            Assert.Equal(EncryptionMode.SendEncrypted, s.Encryption!.Mode);
            Assert.Equal(2, s.Encryption.Keys.Count);
            Assert.Equal(Convert.FromBase64String(KeyA), s.Encryption.Keys.Primary.ToArray());
            Assert.True(s.Encryption.Keys.Contains(Convert.FromBase64String(KeyB)));
            Assert.Equal(2 * 1024 * 1024, s.ReceiveBufferBytes);
            Assert.Equal(512 * 1024, s.SendBufferBytes);
            Assert.Equal("default-executor", system.Settings.Config.GetString("scuttlebutt.io-dispatcher.executor"));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Options_override_other_hocon_and_unset_options_keep_it()
    {
        using var host = TestHost.Build("hosting-precedence", akka => akka
            .AddHocon("scuttlebutt { cluster-name = from-hocon, gossip-interval = 250ms, preset = local }", HoconAddMode.Prepend)
            .WithScuttlebutt(new ScuttlebuttOptions { NodeId = "hosted-precedence", Bind = "127.0.0.1:0", GossipInterval = TimeSpan.FromMilliseconds(120) }));
        await host.StartAsync();
        try
        {
            var s = ScuttlebuttSettings.Create(host.Services.GetRequiredService<ActorSystem>());
            Assert.Equal(TimeSpan.FromMilliseconds(120), s.GossipInterval);
            Assert.Equal("from-hocon", s.ClusterName);
            // The local preset chosen in HOCON still supplies what neither sets.
            Assert.Equal(ScuttlebuttSettings.Local.Liveness.DownExpiry, s.Liveness.DownExpiry);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Theory]
    [InlineData(nameof(ScuttlebuttOptions.GossipInterval))]
    [InlineData(nameof(ScuttlebuttOptions.FailureDetectorThreshold))]
    [InlineData(nameof(ScuttlebuttOptions.FailureDetectorMinStdDeviation))]
    [InlineData(nameof(ScuttlebuttOptions.RemovedPeerMemory))]
    [InlineData(nameof(ScuttlebuttOptions.SeedGossipProbability))]
    [InlineData(nameof(ScuttlebuttOptions.MaxKeyBytes))]
    [InlineData(nameof(ScuttlebuttOptions.NodeId))]
    [InlineData(nameof(ScuttlebuttOptions.Bind))]
    [InlineData(nameof(ScuttlebuttOptions.Seeds))]
    [InlineData(nameof(ScuttlebuttOptions.Generation))]
    [InlineData(nameof(ScuttlebuttOptions.EncryptionKeys))]
    [InlineData(nameof(ScuttlebuttOptions.EncryptionMode))]
    [InlineData(nameof(ScuttlebuttOptions.Preset))]
    [InlineData(nameof(ScuttlebuttOptions.DownExpiry))]
    [InlineData(nameof(ScuttlebuttOptions.FailureDetectorSuspicionThreshold))]
    public async Task An_invalid_option_fails_the_start_naming_the_option(string option)
    {
        var options = new ScuttlebuttOptions { Preset = ScuttlebuttPreset.Local, NodeId = "hosted-invalid", Bind = "127.0.0.1:0" };
        switch (option)
        {
            case nameof(ScuttlebuttOptions.GossipInterval): options.GossipInterval = TimeSpan.Zero; break;
            case nameof(ScuttlebuttOptions.FailureDetectorThreshold): options.FailureDetectorThreshold = 0.5; break;
            case nameof(ScuttlebuttOptions.FailureDetectorMinStdDeviation): options.FailureDetectorMinStdDeviation = TimeSpan.FromTicks(10); break;
            case nameof(ScuttlebuttOptions.RemovedPeerMemory): options.RemovedPeerMemory = TimeSpan.FromSeconds(1); break;
            case nameof(ScuttlebuttOptions.SeedGossipProbability): options.SeedGossipProbability = 1.5; break;
            case nameof(ScuttlebuttOptions.MaxKeyBytes): options.MaxKeyBytes = 0; break;
            case nameof(ScuttlebuttOptions.NodeId): options.NodeId = " "; break;
            case nameof(ScuttlebuttOptions.Bind): options.Bind = "not-an-address"; break;
            case nameof(ScuttlebuttOptions.Seeds): options.Seeds = new[] { "127.0.0.1:1", "no port" }; break;
            case nameof(ScuttlebuttOptions.Generation): options.Generation = -1; break;
            case nameof(ScuttlebuttOptions.EncryptionKeys): options.EncryptionKeys = new[] { "not base64!" }; break;
            case nameof(ScuttlebuttOptions.EncryptionMode): options.EncryptionMode = (EncryptionMode)42; break;
            case nameof(ScuttlebuttOptions.Preset): options.Preset = (ScuttlebuttPreset)7; break;
            case nameof(ScuttlebuttOptions.DownExpiry): options.DownExpiry = TimeSpan.FromSeconds(-1); break;
            case nameof(ScuttlebuttOptions.FailureDetectorSuspicionThreshold): options.FailureDetectorSuspicionThreshold = double.NaN; break;
            default: throw new ArgumentOutOfRangeException(nameof(option), option, null);
        }

        using var host = TestHost.Build("hosting-invalid", akka => akka.WithScuttlebutt(options));
        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => host.StartAsync());
        Assert.Equal(option, error.ParamName);
        Assert.Contains("ScuttlebuttOptions." + option, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_value_from_hocon_is_reported_as_it_is_not_as_an_option()
    {
        using var host = TestHost.Build("hosting-invalid-hocon", akka => akka
            .AddHocon("scuttlebutt.leave-rounds = 1000", HoconAddMode.Prepend)
            .WithScuttlebutt(new ScuttlebuttOptions { NodeId = "hosted-hocon", Bind = "127.0.0.1:0" }));
        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => host.StartAsync());
        Assert.Equal("LeaveRounds", error.ParamName);
        Assert.DoesNotContain("ScuttlebuttOptions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hocon_rendering_quotes_what_would_otherwise_be_read_as_syntax()
    {
        var options = new ScuttlebuttOptions
        {
            NodeId = "a} b = { c",
            InitialState = new Dictionary<string, string> { ["${x}"] = "\"quoted\" \\ \t end", ["a.b.c"] = "", ["unicode é"] = "\u0001" },
        };
        var settings = ScuttlebuttSettings.FromConfig(ConfigurationFactory.ParseString(options.ToHocon()));
        Assert.Equal("a} b = { c", settings.NodeId);
        Assert.Equal(options.InitialState.OrderBy(p => p.Key), settings.InitialState.OrderBy(p => p.Key));
    }

    private static IEnumerable<string> Leaves(Config config, string prefix)
    {
        foreach (var (key, value) in config.AsEnumerable())
        {
            var path = prefix + key;
            if (value.IsObject() && value.GetObject().Items.Count > 0)
            {
                foreach (var leaf in Leaves(config.GetConfig(key), path + "."))
                    yield return leaf;
            }
            else
            {
                yield return path;
            }
        }
    }
}
