using Akka.Configuration;

namespace ScuttlebuttAkka.Agent;

/// <summary>
/// Builds the node's settings the one way the agent does: the embedded defaults, then the --config file's
/// <c>scuttlebutt { }</c> block, then the preset flag, then the other flags. Every mistake becomes a
/// <see cref="UsageException"/> with one line that names the flag or the file.
/// </summary>
internal static class AgentSettings
{
    private static readonly TimeSpan ParseTimeout = TimeSpan.FromSeconds(3);

    /// <summary>The values the command line gave; null (or empty) for what it did not.</summary>
    /// <param name="ConfigFile">--config.</param>
    /// <param name="Preset">--preset.</param>
    /// <param name="Id">--id.</param>
    /// <param name="Bind">--bind.</param>
    /// <param name="Advertise">--advertise.</param>
    /// <param name="Seeds">--seeds, each possibly comma-separated.</param>
    /// <param name="Cluster">--cluster.</param>
    /// <param name="Set">--set key=value pairs.</param>
    internal sealed record Flags(
        string? ConfigFile,
        string? Preset,
        string? Id,
        string? Bind,
        string? Advertise,
        IReadOnlyList<string> Seeds,
        string? Cluster,
        IReadOnlyList<string> Set);

    /// <summary>Reads the --config file (empty when none was given).</summary>
    public static Config ReadFile(string? path)
    {
        if (path is null)
            return Config.Empty;
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"cannot read --config {path}: {ErrorText.Of(e)}", e);
        }

        // Some malformed files (an unclosed list, for one) send Akka's HOCON parser into a loop that never ends and
        // grows without bound; a real configuration parses in milliseconds, so the parse gets a few seconds at most.
        var parse = Task.Run(() => ConfigurationFactory.ParseString(text));
        Config config;
        try
        {
            if (!parse.Wait(ParseTimeout))
                throw new UsageException($"--config {path} is not valid HOCON: the parser did not finish within {ParseTimeout.TotalSeconds:0} s (an unclosed bracket or quote?)");
            config = parse.Result;
        }
        catch (AggregateException e) when (e.InnerException is { } inner && inner is not OutOfMemoryException)
        {
            throw new UsageException($"--config {path} is not valid HOCON: {ErrorText.Of(inner)}", inner);
        }

        if (!config.HasPath("scuttlebutt") || !config.GetValue("scuttlebutt").IsObject())
            throw new UsageException($"--config {path} has no scuttlebutt {{ }} block");
        return config;
    }

    /// <summary>The validated settings for <paramref name="flags"/> over <paramref name="file"/>.</summary>
    public static ScuttlebuttSettings Build(Flags flags, Config file)
    {
        ArgumentNullException.ThrowIfNull(flags);
        ArgumentNullException.ThrowIfNull(file);
        var source = flags.ConfigFile is null ? "the defaults" : $"--config {flags.ConfigFile}";
        var config = flags.Preset is null ? file : ConfigurationFactory.ParseString($"scuttlebutt.preset = {flags.Preset}").WithFallback(file);
        ScuttlebuttSettings settings;
        try
        {
            settings = ScuttlebuttSettings.FromConfig(config);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever reading the file's values throws (a wrong type, a bad duration, an unknown preset), the file is at fault.
            throw new UsageException($"{source}: {ErrorText.Of(e)}", e);
        }

        var initial = new Dictionary<string, string>(settings.InitialState, StringComparer.Ordinal);
        foreach (var pair in flags.Set)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                throw new UsageException($"--set expects key=value, got '{pair}'");
            initial[pair[..eq]] = pair[(eq + 1)..];
        }

        var seeds = flags.Seeds
            .SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToArray();
        settings = settings with
        {
            NodeId = flags.Id ?? settings.NodeId,
            Bind = flags.Bind ?? settings.Bind,
            Advertise = flags.Advertise ?? settings.Advertise,
            Seeds = seeds.Length > 0 ? seeds : settings.Seeds,
            ClusterName = flags.Cluster ?? settings.ClusterName,
            InitialState = initial,
        };

        try
        {
            return settings.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"{Describe(e.ParamName, flags, source)}: {ErrorText.Of(e)}", e);
        }
    }

    // The library names its settings by property; the operator knows them by flag, or by key in the --config file
    // when the flag was not given.
    private static string Describe(string? setting, Flags flags, string source)
    {
        var (flag, given, key) = setting switch
        {
            nameof(ScuttlebuttSettings.NodeId) => ("--id", flags.Id is not null, "node-id"),
            nameof(ScuttlebuttSettings.Bind) => ("--bind", flags.Bind is not null, "bind"),
            nameof(ScuttlebuttSettings.Advertise) => ("--advertise", flags.Advertise is not null, "advertise"),
            nameof(ScuttlebuttSettings.Seeds) => ("--seeds", flags.Seeds.Count > 0, "seeds"),
            nameof(ScuttlebuttSettings.ClusterName) => ("--cluster", flags.Cluster is not null, "cluster-name"),
            nameof(ScuttlebuttSettings.InitialState) => ("--set", flags.Set.Count > 0, "initial-state"),
            _ => ((string?)null, false, (string?)null),
        };
        if (flag is null)
            return $"invalid settings ({source})";
        if (given || flags.ConfigFile is null)
            return $"invalid {flag}";
        return $"invalid scuttlebutt.{key} ({source})";
    }
}
