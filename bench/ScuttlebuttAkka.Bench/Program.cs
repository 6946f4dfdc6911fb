using ScuttlebuttAkka.Bench.Cli;

namespace ScuttlebuttAkka.Bench;

/// <summary>Entry point of the evaluation CLI; see <see cref="BenchCli"/> for the commands.</summary>
internal static class Program
{
    private static Task<int> Main(string[] args) => BenchCli.Build().Parse(args).InvokeAsync();
}
