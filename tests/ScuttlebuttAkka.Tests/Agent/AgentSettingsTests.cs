using Akka.Configuration;
using ScuttlebuttAkka.Agent;

namespace ScuttlebuttAkka.Tests.Agent;

/// <summary>How the agent builds its node's settings: the defaults, then the --config file, then the preset flag, then the other flags.</summary>
public sealed class AgentSettingsTests
{
    private const string File = """
        scuttlebutt {
          preset = wan
          cluster-name = from-file
          node-id = file-node
          bind = "127.0.0.1:0"
          seeds = ["10.0.0.1:7474"]
          initial-state { role = web, zone = eu }
        }
        """;

    [Fact]
    public void Without_flags_the_file_decides_over_the_defaults()
    {
        var settings = AgentSettings.Build(Flags(config: "agent.conf"), ConfigurationFactory.ParseString(File));

        Assert.Equal("from-file", settings.ClusterName);
        Assert.Equal("file-node", settings.NodeId);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.GossipInterval);
        Assert.Equal(new[] { "10.0.0.1:7474" }, settings.Seeds);
        Assert.Equal("web", settings.InitialState["role"]);
    }

    [Fact]
    public void Flags_override_the_file_and_the_preset_flag_overrides_the_file_preset()
    {
        var flags = Flags(config: "agent.conf") with
        {
            Preset = "local",
            Id = "flag-node",
            Cluster = "from-flag",
            Seeds = new[] { "10.0.0.2:7474,10.0.0.3:7474" },
            Set = new[] { "role=db", "rack=r1" },
        };

        var settings = AgentSettings.Build(flags, ConfigurationFactory.ParseString(File));

        Assert.Equal("from-flag", settings.ClusterName);
        Assert.Equal("flag-node", settings.NodeId);
        Assert.Equal(TimeSpan.FromMilliseconds(100), settings.GossipInterval);
        Assert.Equal(new[] { "10.0.0.2:7474", "10.0.0.3:7474" }, settings.Seeds);
        Assert.Equal(new Dictionary<string, string> { ["role"] = "db", ["zone"] = "eu", ["rack"] = "r1" }, settings.InitialState);
    }

    [Fact]
    public void A_key_set_in_the_file_overrides_its_preset_and_leaves_the_rest_of_the_preset()
    {
        var file = ConfigurationFactory.ParseString("""
            scuttlebutt {
              preset = local
              failure-detector { down-expiry = 60s }
              removed-peer-memory = 120s
            }
            """);

        var settings = AgentSettings.Build(Flags(config: "agent.conf") with { Bind = "127.0.0.1:0" }, file);

        Assert.Equal(TimeSpan.FromSeconds(60), settings.Liveness.DownExpiry);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.Liveness.LeftExpiry);
        Assert.Equal(TimeSpan.FromMilliseconds(600), settings.Liveness.Detector.AcceptableHeartbeatPause);
        Assert.Equal(TimeSpan.FromMilliseconds(100), settings.GossipInterval);
    }

    [Fact]
    public void Without_a_file_the_lan_preset_applies()
    {
        var settings = AgentSettings.Build(Flags(config: null) with { Bind = "127.0.0.1:0" }, Config.Empty);

        Assert.Equal(TimeSpan.FromMilliseconds(500), settings.GossipInterval);
        Assert.Equal("scuttlebutt", settings.ClusterName);
    }

    [Fact]
    public void A_bad_value_is_blamed_on_the_flag_that_gave_it_or_else_on_the_file()
    {
        var file = ConfigurationFactory.ParseString("scuttlebutt { bind = \"somewhere:7474\" }");

        var fromFile = Assert.Throws<UsageException>(() => AgentSettings.Build(Flags(config: "agent.conf"), file));
        var fromFlag = Assert.Throws<UsageException>(() => AgentSettings.Build(Flags(config: "agent.conf") with { Bind = "elsewhere:1" }, file));

        Assert.StartsWith("invalid scuttlebutt.bind (--config agent.conf): Bind must be an IP literal and port", fromFile.Message, StringComparison.Ordinal);
        Assert.StartsWith("invalid --bind: ", fromFlag.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", fromFlag.Message, StringComparison.Ordinal);
    }

    private static AgentSettings.Flags Flags(string? config) =>
        new(config, null, null, null, null, Array.Empty<string>(), null, Array.Empty<string>());
}
