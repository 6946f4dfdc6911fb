using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace ScuttlebuttAkka.Bench.Cli;

/// <summary>
/// One command's instances of the shared options (System.CommandLine options belong to one command each, and the
/// default cluster size differs between commands).
/// </summary>
internal sealed class BenchOptionSet
{
    private readonly string _command;

    /// <summary>
    /// Creates the options of <paramref name="command"/> with its default cluster size; <paramref name="offerTransport"/>
    /// adds --transport (commands that only make sense over real sockets leave it out).
    /// </summary>
    public BenchOptionSet(string command, int defaultNodes, int defaultTrials = 20, bool offerTransport = true)
    {
        _command = command;
        Transport = offerTransport
            ? new Option<string>("--transport")
            {
                Description = "udp: real UDP sockets on 127.0.0.1, real time. sim: the deterministic simulator, same protocol core on a perfect network in virtual time (no CPU figure).",
                DefaultValueFactory = _ => "udp",
            }.AcceptOnlyFromAmong("udp", "sim")
            : null;
        Nodes = new Option<int>("--nodes", "-n") { Description = "Nodes in the cluster.", DefaultValueFactory = _ => defaultNodes };
        Nodes.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 2 or > 2048)
                r.AddError("--nodes must be between 2 and 2048.");
        });
        Interval = new Option<TimeSpan>("--interval")
        {
            Description = "Gossip interval: 100, 100ms, 0.5s or 00:00:01.",
            DefaultValueFactory = _ => TimeSpan.FromMilliseconds(100),
            CustomParser = ParseDuration,
        };
        Trials = new Option<int>("--trials") { Description = "Propagation trials (at least 20 for a p99 worth reading); discovery uses as many.", DefaultValueFactory = _ => defaultTrials };
        Trials.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 10_000)
                r.AddError("--trials must be between 1 and 10000.");
        });
        Seed = new Option<int>("--seed") { Description = "Seed of every random choice (writers, victims, node randomness).", DefaultValueFactory = _ => 42 };
        Json = new Option<string?>("--json") { Description = $"Where to write the JSON report (default bench/out/{command}.json)." };
        Out = new Option<string?>("--out") { Description = "Folder for the plots (default bench/out)." };
        IdleSeconds = new Option<double>("--idle-seconds")
        {
            Description = "Length of the idle-cost window and of the false-positive watch, in seconds.",
            DefaultValueFactory = _ => 10,
        };
        IdleSeconds.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is < 1 or > 3600)
                r.AddError("--idle-seconds must be between 1 and 3600.");
        });
    }

    /// <summary>--nodes.</summary>
    public Option<int> Nodes { get; }

    /// <summary>--interval.</summary>
    public Option<TimeSpan> Interval { get; }

    /// <summary>--trials.</summary>
    public Option<int> Trials { get; }

    /// <summary>--seed.</summary>
    public Option<int> Seed { get; }

    /// <summary>--json.</summary>
    public Option<string?> Json { get; }

    /// <summary>--out.</summary>
    public Option<string?> Out { get; }

    /// <summary>--idle-seconds.</summary>
    public Option<double> IdleSeconds { get; }

    /// <summary>--transport, when the command offers it.</summary>
    public Option<string>? Transport { get; }

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Nodes, Interval, Trials, Seed, Json, Out, IdleSeconds })
            command.Options.Add(option);
        if (Transport is not null)
            command.Options.Add(Transport);
    }

    /// <summary>Reads the parsed values.</summary>
    public BenchOptions Read(ParseResult result, bool theirDefaults = false)
    {
        var outputRoot = Path.Combine(RepositoryRoot(), "bench", "out");
        return new BenchOptions(
            _command,
            result.GetValue(Nodes),
            result.GetValue(Interval),
            result.GetValue(Trials),
            result.GetValue(Seed),
            result.GetValue(Json) ?? Path.Combine(outputRoot, _command + ".json"),
            result.GetValue(Out) ?? outputRoot,
            TimeSpan.FromSeconds(result.GetValue(IdleSeconds)),
            theirDefaults,
            Transport is null ? BenchTransport.Udp : result.GetValue(Transport) == "sim" ? BenchTransport.Sim : BenchTransport.Udp);
    }

    /// <summary>Parses "100", "100ms", "0.5s" or a TimeSpan ("00:00:00.1"); the bare number is milliseconds.</summary>
    public static TimeSpan ParseDuration(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value.Trim() : "";
        if (TryParseDuration(text, out var value) && value > TimeSpan.Zero)
            return value;
        result.AddError($"'{text}' is not a positive duration such as 100, 100ms, 0.5s or 00:00:01.");
        return TimeSpan.Zero;
    }

    /// <summary>Parses a duration as <see cref="ParseDuration"/> does.</summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        var c = CultureInfo.InvariantCulture;
        value = TimeSpan.Zero;
        if (text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) && double.TryParse(text[..^2], NumberStyles.Float, c, out var ms))
            value = TimeSpan.FromMilliseconds(ms);
        else if (text.EndsWith('s') && double.TryParse(text[..^1], NumberStyles.Float, c, out var s))
            value = TimeSpan.FromSeconds(s);
        else if (double.TryParse(text, NumberStyles.Float, c, out var bare))
            value = TimeSpan.FromMilliseconds(bare);
        else if (!TimeSpan.TryParse(text, c, out value))
            return false;
        return true;
    }

    /// <summary>The folder holding ScuttlebuttAkka.sln above the current directory, else the current directory.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ScuttlebuttAkka.sln")))
                return dir.FullName;
        }

        return Environment.CurrentDirectory;
    }
}
