namespace ScuttlebuttAkka.NetnsNode;

/// <summary>The command line: <c>--id ID --bind IP:PORT [--seeds A,B] [--cluster NAME] [--set k=v]... [--write k=v]...</c>.</summary>
/// <param name="Id">The node id.</param>
/// <param name="Bind">Where the UDP socket binds.</param>
/// <param name="Seeds">Seed addresses.</param>
/// <param name="Cluster">The cluster name.</param>
/// <param name="Initial">Keys set before the node first gossips.</param>
/// <param name="Writes">Keys written once the node runs.</param>
internal sealed record NodeArguments(string Id, string Bind, IReadOnlyList<string> Seeds, string Cluster, IReadOnlyDictionary<string, string> Initial, IReadOnlyList<KeyValuePair<string, string>> Writes)
{
    public static NodeArguments Parse(IReadOnlyList<string> args)
    {
        string? id = null, bind = null;
        var cluster = "netns";
        var seeds = new List<string>();
        var initial = new Dictionary<string, string>(StringComparer.Ordinal);
        var writes = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--id": id = value; break;
                case "--bind": bind = value; break;
                case "--cluster": cluster = value; break;
                case "--seeds": seeds.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
                case "--set": var (k, v) = Pair(value); initial[k] = v; break;
                case "--write": var (wk, wv) = Pair(value); writes.Add(new KeyValuePair<string, string>(wk, wv)); break;
                default: throw new ArgumentException($"Unknown argument '{args[i]}'.");
            }

            i++;
        }

        return new NodeArguments(
            id ?? throw new ArgumentException("--id is required."),
            bind ?? throw new ArgumentException("--bind is required."),
            seeds,
            cluster,
            initial,
            writes);
    }

    private static (string Key, string Value) Pair(string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
            throw new ArgumentException($"Expected key=value, got '{text}'.");
        return (text[..eq], text[(eq + 1)..]);
    }
}
