using ScuttlebuttAkka.Agent;

namespace ScuttlebuttAkka.Tests.Docs;

/// <summary>The README's agent section names every option the agent takes and every exit code it uses.</summary>
public sealed class AgentReadmeTests
{
    [Fact]
    public void The_readme_documents_every_agent_option()
    {
        var section = AgentSection();
        var options = AgentCommand.Build().Options.Select(o => o.Name).Where(n => n.StartsWith("--", StringComparison.Ordinal) && n is not "--help" and not "--version");

        Assert.All(options, name => Assert.Contains($"`{name}", section, StringComparison.Ordinal));
    }

    [Fact]
    public void The_readme_documents_every_exit_code()
    {
        var section = AgentSection();

        foreach (var code in new[] { ExitCode.Ok, ExitCode.RuntimeFailure, ExitCode.Usage })
            Assert.Contains($"\n| {code} | ", section, StringComparison.Ordinal);
    }

    private static string AgentSection()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")).ReplaceLineEndings("\n");
        var start = readme.IndexOf("\n## The agent\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no '## The agent' section.");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return end < 0 ? readme[start..] : readme[start..end];
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
