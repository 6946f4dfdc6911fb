using System.CommandLine;

namespace ScuttlebuttAkka.Agent;

/// <summary>Entry point of the command-line agent.</summary>
internal static class Program
{
    // The agent handles SIGINT/SIGTERM itself (a graceful leave takes a few rounds), so the parser must not kill it
    // after its default two-second grace.
    private static Task<int> Main(string[] args) =>
        AgentCommand.Build().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
}
