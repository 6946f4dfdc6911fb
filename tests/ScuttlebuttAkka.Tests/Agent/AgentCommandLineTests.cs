using System.Net;
using System.Net.Sockets;

namespace ScuttlebuttAkka.Tests.Agent;

/// <summary>
/// The agent process at its edges: each kind of bad argument exits 2 with one line on standard error and nothing on
/// standard output; a port in use exits 1 the same way; a seed that does not resolve, and a node no seed answers,
/// are warned about; the metrics endpoint serves the library's meter in Prometheus text format.
/// </summary>
public sealed class AgentCommandLineTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(45);

    /// <summary>Each case: a name, the arguments ("{config}" stands for a file holding the third item), the file's text.</summary>
    public static TheoryData<string, string[], string?> UsageErrors => new()
    {
        { "unknown option", ["--no-such-option"], null },
        { "address without a port", ["--bind", "not-an-address"], null },
        { "port out of range", ["--bind", "127.0.0.1:99999"], null },
        { "set without equals", ["--set", "no-equals-sign"], null },
        { "unknown preset", ["--preset", "moon"], null },
        { "unknown output", ["--output", "xml"], null },
        { "seed without a port", ["--seeds", "somewhere"], null },
        { "empty id", ["--id", ""], null },
        { "key over the limit", ["--set", new string('k', 200) + "=1"], null },
        { "bad duration", ["--table-every", "soon"], null },
        { "metrics port out of range", ["--metrics-port", "70000"], null },
        { "missing config file", ["--config", "/nonexistent/scuttlebutt-agent.conf"], null },
        { "config with an unresolved substitution", ["--config", "{config}"], "scuttlebutt { bind = ${nowhere} }" },
        { "config the HOCON parser never finishes", ["--config", "{config}"], "scuttlebutt { seeds = [ }" },
        { "config whose scuttlebutt is not a block", ["--config", "{config}"], "scuttlebutt = 5" },
        { "config without a scuttlebutt block", ["--config", "{config}"], "akka { loglevel = INFO }" },
        { "config with an unknown preset", ["--config", "{config}"], "scuttlebutt { preset = moon }" },
        { "config with a bad value", ["--config", "{config}"], "scuttlebutt { max-datagram-bytes = 10 }" },
        { "config with a value of the wrong type", ["--config", "{config}"], "scuttlebutt { gossip-interval = soon }" },
    };

    [Theory]
    [MemberData(nameof(UsageErrors))]
    public async Task A_usage_error_exits_2_with_one_line_on_stderr_and_nothing_on_stdout(string name, string[] args, string? config)
    {
        using var file = config is null ? null : new TempFile(config);
        var full = args.Select(a => a == "{config}" ? file!.Path : a).ToList();
        // Should a case start a node after all, it must not take the default port.
        if (!full.Contains("--bind"))
            full.InsertRange(0, ["--bind", "127.0.0.1:0"]);
        using var agent = AgentProcess.Start(full.ToArray());
        agent.CloseInput();

        var code = await agent.WaitForExitAsync(Generous);

        Assert.True(code == 2, $"{name}: exit code {code}\n{agent.Transcript()}");
        Assert.Empty(agent.Stdout);
        var line = Assert.Single(agent.Stderr);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter '", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_in_use_exits_1_with_one_line_on_stderr_and_nothing_on_stdout()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)taken.LocalEndPoint!).Port;

        using var agent = AgentProcess.Start("--id", "busy", "--bind", $"127.0.0.1:{port}", "--preset", "local");
        var code = await agent.WaitForExitAsync(Generous);

        Assert.True(code == 1, $"exit code {code}\n{agent.Transcript()}");
        Assert.Empty(agent.Stdout);
        var line = Assert.Single(agent.Stderr);
        Assert.Contains($"error: could not bind 127.0.0.1:{port}", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_metrics_port_in_use_exits_1_with_one_line_on_stderr_before_anything_on_stdout()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        using var agent = AgentProcess.Start("--id", "busy", "--bind", "127.0.0.1:0", "--preset", "local", "--metrics-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var code = await agent.WaitForExitAsync(Generous);

        Assert.True(code == 1, $"exit code {code}\n{agent.Transcript()}");
        Assert.Empty(agent.Stdout);
        var line = Assert.Single(agent.Stderr);
        Assert.Contains("error: could not serve metrics", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_seed_that_does_not_resolve_and_a_seed_that_never_answers_are_warned_about()
    {
        // Port 9 on loopback (discard) has no agent; nosuchhost.invalid cannot resolve (RFC 2606).
        using var agent = AgentProcess.Start("--id", "lonely", "--bind", "127.0.0.1:0", "--preset", "local", "--output", "json",
            "--cluster", "agent-test-" + Guid.NewGuid().ToString("N")[..8], "--seeds", "nosuchhost.invalid:7000,127.0.0.1:9", "--exit-on-eof");

        await agent.WaitForEventAsync("listening", null, Generous);
        var unresolved = await agent.WaitForStderrAsync(l => l.Contains("warning: seed nosuchhost.invalid:7000 does not resolve", StringComparison.Ordinal), Generous);
        Assert.DoesNotContain("127.0.0.1:9 does not resolve", string.Join('\n', agent.Stderr), StringComparison.Ordinal);
        await agent.WaitForStderrAsync(l => l.Contains("warning: no seed answered within 10 rounds", StringComparison.Ordinal), Generous);
        Assert.DoesNotContain('\n', unresolved);

        agent.CloseInput();
        Assert.Equal(0, await agent.WaitForExitAsync(Generous));
    }

    [Fact]
    public async Task The_metrics_endpoint_serves_the_library_meter_in_prometheus_text_format()
    {
        using var agent = AgentProcess.Start("--id", "metered", "--bind", "127.0.0.1:0", "--preset", "local", "--output", "json",
            "--metrics-port", "0", "--exit-on-eof");
        var metrics = await agent.WaitForEventAsync("metrics", null, Generous);
        var url = AgentProcess.Str(metrics, "url")!;
        Assert.StartsWith("http://127.0.0.1:", url, StringComparison.Ordinal);

        using var http = new HttpClient { Timeout = Generous };
        // The first rounds run within one interval of the start; a scrape may come before them, so ask until they show.
        string body;
        var deadline = DateTime.UtcNow + Generous;
        do
        {
            body = await http.GetStringAsync(new Uri(url));
            if (body.Contains("scuttlebutt_rounds_total{", StringComparison.Ordinal))
                break;
            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Contains("# TYPE scuttlebutt_rounds_total counter", body, StringComparison.Ordinal);
        Assert.Matches("scuttlebutt_rounds_total\\{[^}]*node=\"metered\"[^}]*\\} [1-9]", body);
        Assert.Contains("scuttlebutt_peers{", body, StringComparison.Ordinal);

        agent.CloseInput();
        Assert.Equal(0, await agent.WaitForExitAsync(Generous));
    }
}
