using System.Text.Json;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using ScuttlebuttAkka.Agent;

namespace ScuttlebuttAkka.Tests.Agent;

/// <summary>What the agent prints, without a process: line formats, the down verdict, one-line errors, restart deletes.</summary>
public sealed class AgentOutputTests : TestKit
{
    private static readonly DateTimeOffset At = new(2025, 1, 2, 5, 4, 5, 678, TimeSpan.FromHours(2));

    [Fact]
    public void A_text_line_carries_local_date_time_and_zone_and_a_json_line_utc_time_observer_and_type()
    {
        var (text, _, textOut) = Capture(OutputFormat.Text);
        var (json, _, jsonOut) = Capture(OutputFormat.Json);

        textOut.Emit("joined", "joined b 127.0.0.1:7000 generation=5", w => w.WriteString("peer", "b"));
        jsonOut.Emit("joined", "joined b 127.0.0.1:7000 generation=5", w => w.WriteString("peer", "b"));

        Assert.Equal("2025-01-02 05:04:05.678 +02:00 joined b 127.0.0.1:7000 generation=5\n", text.ToString().ReplaceLineEndings("\n"));
        Assert.Equal("""{"time":"2025-01-02T03:04:05.678Z","observer":"node-a","type":"joined","peer":"b"}""" + "\n", json.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Warnings_and_errors_go_to_stderr_only_one_line_each()
    {
        var (stdout, stderr, output) = Capture(OutputFormat.Json);

        output.Warning("seed x:1 does not resolve");
        output.Error("could not bind 127.0.0.1:7000: Address already in use");

        Assert.Equal("", stdout.ToString());
        Assert.Equal(
            "2025-01-02 05:04:05.678 +02:00 warning: seed x:1 does not resolve\n2025-01-02 05:04:05.678 +02:00 error: could not bind 127.0.0.1:7000: Address already in use\n",
            stderr.ToString().ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData(9.26, 0, "down b phi=9.3")]
    [InlineData(0.74, 1, "down b corroborated by 1 peer (phi=0.7)")]
    [InlineData(0.74, 2, "down b corroborated by 2 peers (phi=0.7)")]
    [InlineData(double.NaN, 0, "down b")]
    [InlineData(double.PositiveInfinity, 0, "down b phi=inf")]
    public void A_down_line_says_whether_phi_or_other_nodes_made_the_verdict(double phi, int corroboratedBy, string expected)
    {
        Assert.Equal(expected, EventPrinter.DownText(new PeerEvent.Down("a", "b", phi, corroboratedBy)));
    }

    [Fact]
    public void A_down_event_in_json_has_phi_or_null_and_the_corroboration_count()
    {
        var (stdout, _, output) = Capture(OutputFormat.Json);
        var printer = Sys.ActorOf(EventPrinter.Props(output, showUpdates: false));

        printer.Tell(new PeerEvent.Down("node-a", "b", 0.7, 2));
        printer.Tell(new PeerEvent.Down("node-a", "c", double.NaN));

        AwaitAssert(() => Assert.Equal(2, Lines(stdout).Length));
        var lines = Lines(stdout).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(0.7, lines[0].GetProperty("phi").GetDouble());
        Assert.Equal(2, lines[0].GetProperty("corroborated_by").GetInt32());
        Assert.Equal(JsonValueKind.Null, lines[1].GetProperty("phi").ValueKind);
    }

    [Fact]
    public void A_restart_prints_every_key_of_the_old_incarnation_as_deleted_before_the_new_keys()
    {
        var (stdout, _, output) = Capture(OutputFormat.Text);
        var printer = Sys.ActorOf(EventPrinter.Props(output, showUpdates: true));

        printer.Tell(new PeerEvent.Joined("a", "b", 1, "127.0.0.1:7001"));
        printer.Tell(new PeerEvent.Updated("a", "b", "role", "web", 1));
        printer.Tell(new PeerEvent.Updated("a", "b", "gone", "x", 2));
        printer.Tell(new PeerEvent.KeyDeleted("a", "b", "gone", 3));
        printer.Tell(new PeerEvent.Updated("a", "b", "zone", "eu", 4));
        printer.Tell(new PeerEvent.Restarted("a", "b", 1, 2, "127.0.0.1:7002"));
        printer.Tell(new PeerEvent.Updated("a", "b", "role", "db", 1));

        AwaitAssert(() => Assert.Equal(9, Lines(stdout).Length));
        var text = Lines(stdout).Select(l => l["2025-01-02 05:04:05.678 +02:00 ".Length..]).ToArray();
        Assert.Equal(
            new[]
            {
                "joined b 127.0.0.1:7001 generation=1",
                "updated b role=web version=1",
                "updated b gone=x version=2",
                "deleted b gone version=3",
                "updated b zone=eu version=4",
                "restarted b 127.0.0.1:7002 generation=1->2",
                "deleted b role (restarted)",
                "deleted b zone (restarted)",
                "updated b role=db version=1",
            },
            text);
    }

    [Fact]
    public void Without_updates_a_restart_prints_only_the_restart()
    {
        var (stdout, _, output) = Capture(OutputFormat.Text);
        var printer = Sys.ActorOf(EventPrinter.Props(output, showUpdates: false));

        printer.Tell(new PeerEvent.Updated("a", "b", "role", "web", 1));
        printer.Tell(new PeerEvent.Restarted("a", "b", 1, 2, "127.0.0.1:7002"));
        printer.Tell(new PeerEvent.Removed("a", "b"));

        AwaitAssert(() => Assert.Equal(2, Lines(stdout).Length));
        Assert.EndsWith("restarted b 127.0.0.1:7002 generation=1->2", Lines(stdout)[0], StringComparison.Ordinal);
        Assert.EndsWith("removed b", Lines(stdout)[1], StringComparison.Ordinal);
    }

    [Fact]
    public void An_error_is_one_line_without_the_parameter_suffix_or_the_actual_value()
    {
        var bind = Assert.Throws<ArgumentException>(() => (ScuttlebuttSettings.Local with { Bind = "nope" }).Validate());
        var interval = Assert.Throws<ArgumentOutOfRangeException>(() => (ScuttlebuttSettings.Local with { GossipInterval = TimeSpan.Zero }).Validate());

        Assert.Contains("(Parameter 'Bind')", bind.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", ErrorText.Of(bind), StringComparison.Ordinal);
        Assert.StartsWith("'nope' is not a valid gossip address", ErrorText.Of(bind), StringComparison.Ordinal);
        Assert.Equal("GossipInterval must be positive.", ErrorText.Of(interval));
    }

    private static (Captured Stdout, Captured Stderr, AgentOutput Output) Capture(OutputFormat format)
    {
        var stdout = new Captured();
        var stderr = new Captured();
        return (stdout, stderr, new AgentOutput(stdout, stderr, format, "node-a", () => At));
    }

    private static string[] Lines(Captured writer) =>
        writer.ToString().ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>A string writer the printer's actor thread may write to while the test reads it.</summary>
    private sealed class Captured : StringWriter
    {
        private readonly object _gate = new();

        public override void WriteLine(string? value)
        {
            lock (_gate)
                base.WriteLine(value);
        }

        public override string ToString()
        {
            lock (_gate)
                return base.ToString();
        }
    }
}
