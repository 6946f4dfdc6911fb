using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace ScuttlebuttAkka.Agent;

/// <summary>The agent's command line: its options, and how a parse becomes <see cref="AgentOptions"/>.</summary>
internal static class AgentCommand
{
    private static readonly Option<string?> Config = new("--config")
    {
        Description = "A HOCON file with a scuttlebutt { } block (keys as in the library's reference.conf); the flags below override it.",
    };

    private static readonly Option<string?> Id = new("--id") { Description = "This node's id (default: machine name and a random suffix)." };

    private static readonly Option<string?> Bind = new("--bind")
    {
        Description = "Where to bind the UDP socket, IP:port (port 0 picks one; default 0.0.0.0:7474).",
    };

    private static readonly Option<string?> Advertise = new("--advertise")
    {
        Description = "The address peers should use to reach this node (default: the bound address).",
    };

    private static readonly Option<string[]> Seeds = new("--seeds", "--seed")
    {
        Description = "Seed addresses host:port, repeatable or comma-separated.",
        AllowMultipleArgumentsPerToken = true,
    };

    private static readonly Option<string?> Preset = new("--preset")
    {
        Description = "local (one machine), lan (a data centre network; the default) or wan (across regions).",
    };

    private static readonly Option<string[]> Set = new("--set") { Description = "An initial key=value of this node, repeatable." };

    private static readonly Option<string?> Cluster = new("--cluster") { Description = "The cluster name; nodes only gossip within one (default: scuttlebutt)." };

    private static readonly Option<string> Output = new("--output", "-o")
    {
        Description = "text (one line per item, with local date, time and zone) or json (one object per line, UTC times).",
        DefaultValueFactory = _ => "text",
    };

    private static readonly Option<TimeSpan?> TableEvery = new("--table-every")
    {
        Description = "Print the member table periodically, e.g. 10s or 500ms (it is always printed when you type 'members').",
        CustomParser = ParseDuration,
    };

    private static readonly Option<bool> ExitOnEof = new("--exit-on-eof") { Description = "Leave gracefully and exit when standard input ends." };

    private static readonly Option<bool> Updates = new("--updates") { Description = "Also print every key update and delete." };

    private static readonly Option<bool> Verbose = new("--verbose", "-v") { Description = "Show Akka's Info logs (on standard error) and the stacks of logged exceptions." };

    private static readonly Option<int?> MetricsPort = new("--metrics-port")
    {
        Description = "Serve the library's metrics in Prometheus text format at http://HOST:PORT/metrics (0 picks a free port).",
        CustomParser = ParsePort,
    };

    private static readonly Option<string> MetricsHost = new("--metrics-host")
    {
        Description = "Where the metrics endpoint listens: an IP address, or * for every interface (default: 127.0.0.1).",
        DefaultValueFactory = _ => "127.0.0.1",
    };

    // Once per process: Build may be called more than once (by tests), and each call must not add the checks again.
    static AgentCommand()
    {
        Preset.AcceptOnlyFromAmong("local", "lan", "wan");
        Output.AcceptOnlyFromAmong("text", "json");
        Set.Validators.Add(r =>
        {
            foreach (var pair in r.GetValueOrDefault<string[]>() ?? Array.Empty<string>())
            {
                if (pair.IndexOf('=', StringComparison.Ordinal) <= 0)
                    r.AddError($"--set expects key=value, got '{pair}'.");
            }
        });
    }

    /// <summary>Builds the root command; its action runs the agent and returns the exit code (<see cref="ExitCode"/>).</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand(
            "Runs one ScuttlebuttAkka node: prints its address, then membership changes as they happen. Type 'members' " +
            "for the member table, 'help' for the other commands. Ctrl+C or SIGTERM leaves the cluster gracefully. " +
            "Exit codes: 0 ok, 1 runtime failure, 2 usage error.");
        foreach (var option in new Option[] { Config, Id, Bind, Advertise, Seeds, Preset, Set, Cluster, Output, TableEvery, ExitOnEof, Updates, Verbose, MetricsPort, MetricsHost })
            root.Options.Add(option);
        root.SetAction(async (result, token) =>
        {
            AgentOptions options;
            try
            {
                options = ToOptions(result);
            }
            catch (UsageException e)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return ExitCode.Usage;
            }

            try
            {
                return await AgentRunner.RunAsync(options, token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Not expected; still one line (the stack with --verbose), and the runtime-failure code.
                await Console.Error.WriteLineAsync($"error: {ErrorText.Of(e)}" + (options.Verbose ? Environment.NewLine + e : "")).ConfigureAwait(false);
                return ExitCode.RuntimeFailure;
            }
        });
        return root;
    }

    /// <summary>The options a successful parse describes; throws <see cref="UsageException"/> for a bad file or setting.</summary>
    public static AgentOptions ToOptions(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var flags = new AgentSettings.Flags(
            result.GetValue(Config),
            result.GetValue(Preset),
            result.GetValue(Id),
            result.GetValue(Bind),
            result.GetValue(Advertise),
            result.GetValue(Seeds) ?? Array.Empty<string>(),
            result.GetValue(Cluster),
            result.GetValue(Set) ?? Array.Empty<string>());
        var file = AgentSettings.ReadFile(flags.ConfigFile);
        var settings = AgentSettings.Build(flags, file);
        return new AgentOptions(
            settings,
            file,
            result.GetValue(Output) == "json" ? OutputFormat.Json : OutputFormat.Text,
            result.GetValue(TableEvery),
            result.GetValue(ExitOnEof),
            result.GetValue(Updates),
            result.GetValue(Verbose),
            result.GetValue(MetricsPort),
            result.GetValue(MetricsHost) ?? "127.0.0.1");
    }

    private static int? ParsePort(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value.Trim() : "";
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535)
            return port;
        result.AddError($"--metrics-port must be a port number from 0 to 65535, got '{text}'.");
        return null;
    }

    private static TimeSpan? ParseDuration(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value.Trim() : "";
        var c = CultureInfo.InvariantCulture;
        TimeSpan value;
        if (text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) && double.TryParse(text[..^2], NumberStyles.Float, c, out var ms))
            value = TimeSpan.FromMilliseconds(ms);
        else if (text.EndsWith('s') && double.TryParse(text[..^1], NumberStyles.Float, c, out var s))
            value = TimeSpan.FromSeconds(s);
        else if (double.TryParse(text, NumberStyles.Float, c, out var bare))
            value = TimeSpan.FromSeconds(bare);
        else if (!TimeSpan.TryParse(text, c, out value))
            value = TimeSpan.Zero;
        if (value > TimeSpan.Zero)
            return value;
        result.AddError($"--table-every: '{text}' is not a positive duration such as 10s, 500ms or 00:00:10.");
        return null;
    }
}
