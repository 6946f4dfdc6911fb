using Akka.Configuration;
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
}
