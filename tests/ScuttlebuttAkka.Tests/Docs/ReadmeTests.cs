namespace ScuttlebuttAkka.Tests.Docs;

/// <summary>The README's quick start is the sample's code, character for character, so the two cannot drift apart.</summary>
public sealed class ReadmeTests
{
    private const string Begin = "// <quickstart>";
    private const string End = "// </quickstart>";

    [Fact]
    public void The_readme_contains_the_quick_start_sample_verbatim()
    {
        var root = RepositoryRoot();
        var sample = File.ReadAllText(Path.Combine(root, "samples", "ScuttlebuttAkka.QuickStart", "Program.cs")).ReplaceLineEndings("\n");
        var start = sample.IndexOf(Begin, StringComparison.Ordinal);
        var end = sample.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"The sample must mark its quick start with '{Begin}' and '{End}'.");
        var snippet = sample[(start + Begin.Length)..end].Trim('\n');
        Assert.False(string.IsNullOrWhiteSpace(snippet));

        var readme = File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");

        Assert.Contains("```csharp\n" + snippet + "\n```", readme, StringComparison.Ordinal);
    }

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
