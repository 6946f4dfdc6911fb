using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace ScuttlebuttAkka.Agent;

/// <summary>The agent's command line.</summary>
internal static class AgentCommand
{
    /// <summary>Builds the root command; its action runs the agent.</summary>
    public static RootCommand Build()
    {
        var id = new Option<string?>("--id") { Description = "This node's id (default: machine name and a random suffix)." };
        var bind = new Option<string?>("--bind") { Description = "Where to bind the UDP socket, host:port (port 0 picks one; default from the preset: 0.0.0.0:7474)." };
        var advertise = new Option<string?>("--advertise") { Description = "The address peers should use to reach this node (default: the bound address)." };
        var seeds = new Option<string[]>("--seeds", "--seed")
        {
            Description = "Seed addresses host:port, repeatable or comma-separated.",
            AllowMultipleArgumentsPerToken = true,
        };
        var preset = new Option<string>("--preset")
        {
            Description = "local (one machine), lan (a data centre network) or wan (across regions).",
            DefaultValueFactory = _ => "lan",
        };
        preset.AcceptOnlyFromAmong("local", "lan", "wan");
        var set = new Option<string[]>("--set")
        {
            Description = "An initial key=value of this node, repeatable.",
        };
        set.Validators.Add(r =>
        {
            foreach (var pair in r.GetValueOrDefault<string[]>() ?? Array.Empty<string>())
            {
                if (pair.IndexOf('=', StringComparison.Ordinal) <= 0)
                    r.AddError($"--set expects key=value, got '{pair}'.");
            }
        });
        var cluster = new Option<string?>("--cluster") { Description = "The cluster name; nodes only gossip within one (default: scuttlebutt)." };
        var tableEvery = new Option<TimeSpan?>("--table-every")
        {
            Description = "Print the member table periodically, e.g. 10s or 500ms (it is always printed when you type 'members' or 'm').",
            CustomParser = ParseDuration,
        };
        var exitOnEof = new Option<bool>("--exit-on-eof") { Description = "Leave gracefully and exit when standard input ends." };
        var updates = new Option<bool>("--updates") { Description = "Also print every key update and delete." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Show Akka's Info logs." };

        var root = new RootCommand(
            "Runs one ScuttlebuttAkka node: prints its address, then membership changes as they happen. Type 'members' " +
            "(or 'm') for the member table, 'help' for the other commands. Ctrl+C or SIGTERM leaves the cluster gracefully.");
        foreach (var option in new Option[] { id, bind, advertise, seeds, preset, set, cluster, tableEvery, exitOnEof, updates, verbose })
            root.Options.Add(option);
        root.SetAction(async (result, token) =>
        {
            var presetName = result.GetValue(preset) ?? "lan";
            var settings = presetName switch
            {
                "local" => ScuttlebuttSettings.Local,
                "wan" => ScuttlebuttSettings.Wan,
                _ => ScuttlebuttSettings.Lan,
            };
            var initial = (result.GetValue(set) ?? Array.Empty<string>())
                .Select(p => p.Split('=', 2))
                .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
            settings = settings with
            {
                NodeId = result.GetValue(id) ?? settings.NodeId,
                Bind = result.GetValue(bind) ?? settings.Bind,
                Advertise = result.GetValue(advertise),
                Seeds = (result.GetValue(seeds) ?? Array.Empty<string>())
                    .SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    .ToArray(),
                ClusterName = result.GetValue(cluster) ?? settings.ClusterName,
                InitialState = initial,
            };
            try
            {
                settings.Validate();
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync($"invalid arguments: {e.Message}").ConfigureAwait(false);
                return 2;
            }

            var options = new AgentOptions(settings, result.GetValue(tableEvery), result.GetValue(exitOnEof), result.GetValue(updates), result.GetValue(verbose));
            return await AgentRunner.RunAsync(options, Console.In, Console.Out, token).ConfigureAwait(false);
        });
        return root;
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
        result.AddError($"'{text}' is not a positive duration such as 10s, 500ms or 00:00:10.");
        return null;
    }
}
