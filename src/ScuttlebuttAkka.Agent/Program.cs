using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace ScuttlebuttAkka.Agent;

/// <summary>Entry point of the command-line agent.</summary>
internal static partial class Program
{
    private static async Task<int> Main(string[] args)
    {
        var parsed = AgentCommand.Build().Parse(args);
        if (parsed.Action is ParseErrorAction)
        {
            // One line, not the parser's error list followed by the whole help: scripts log stderr, people re-run with --help.
            var first = parsed.Errors.Count > 0 ? Describe(parsed.Errors[0]) : "invalid arguments";
            await Console.Error.WriteLineAsync($"error: {first} (see --help)").ConfigureAwait(false);
            return ExitCode.Usage;
        }

        // The agent handles SIGINT/SIGTERM itself (a graceful leave takes a few rounds), so the parser must not kill it
        // after its default two-second grace.
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
    }

    /// <summary>A parse error on one line, naming the option it is about when the parser's message does not.</summary>
    internal static string Describe(ParseError error)
    {
        var text = Whitespace().Replace(error.Message, " ").Trim().TrimEnd('.');
        var option = error.SymbolResult switch
        {
            OptionResult o => o.Option.Name,
            ArgumentResult { Parent: OptionResult o } => o.Option.Name,
            _ => null,
        };
        return option is null || text.Contains(option, StringComparison.Ordinal) ? text : $"{option}: {text}";
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
