namespace ScuttlebuttAkka.Tests.Diagnostics;

/// <summary>
/// The tables of docs/observability.md, read the way a reader sees them, so that the tests compare the code with the
/// document rather than with a copy of it.
/// </summary>
internal static class ObservabilityDoc
{
    /// <summary>One row of the metrics table.</summary>
    public sealed record Metric(string Name, string Instrument, string Unit, IReadOnlyList<string> Tags);

    /// <summary>Every row of the table under "## Metrics".</summary>
    public static IReadOnlyList<Metric> Metrics() =>
        Rows(Section("## Metrics"), "| metric |")
            .Select(cells => new Metric(Code(cells[0]), Code(cells[1]), Code(cells[2]), Tags(cells[3])))
            .ToArray();

    /// <summary>The first column of the table under <paramref name="heading"/> (the reasons of one tag).</summary>
    public static IReadOnlyList<string> Reasons(string heading) =>
        Rows(Section(heading), "| reason |").Select(cells => Code(cells[0])).ToArray();

    private static string Section(string heading)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "observability.md")).ReplaceLineEndings("\n");
        var start = text.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/observability.md has no '{heading}' heading.");
        var level = heading[..(heading.IndexOf(' ', StringComparison.Ordinal) + 1)];
        var end = text.IndexOf("\n" + level, start + heading.Length + 1, StringComparison.Ordinal);
        return end < 0 ? text[start..] : text[start..end];
    }

    // The rows of the first table in the section whose header starts with headerStart, split into trimmed cells.
    private static IEnumerable<string[]> Rows(string section, string headerStart)
    {
        var lines = section.Split('\n');
        var header = Array.FindIndex(lines, l => l.StartsWith(headerStart, StringComparison.Ordinal));
        Assert.True(header >= 0, $"no table starting '{headerStart}' in the section");
        return lines.Skip(header + 2)
            .TakeWhile(l => l.StartsWith('|'))
            .Select(l => l.Trim('|').Split(" | ").Select(c => c.Trim()).ToArray());
    }

    private static string Code(string cell)
    {
        Assert.True(cell.Length > 2 && cell[0] == '`' && cell[^1] == '`', $"'{cell}' is not one code span");
        return cell[1..^1];
    }

    private static IReadOnlyList<string> Tags(string cell) =>
        cell == "(none)" ? Array.Empty<string>() : cell.Split(", ").Select(Code).ToArray();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ScuttlebuttAkka.sln")))
                return dir.FullName;
        }

        throw new InvalidOperationException($"No ScuttlebuttAkka.sln above {AppContext.BaseDirectory}.");
    }
}
