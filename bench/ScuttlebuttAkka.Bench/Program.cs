using ScuttlebuttAkka.Bench.Micro;

namespace ScuttlebuttAkka.Bench;

/// <summary>The bench tool: one command per kind of measurement; <c>micro</c> runs the protocol core's micro-benchmarks.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "micro")
            return MicroCommand.Run(args[1..]);
        Console.Error.WriteLine("usage: ScuttlebuttAkka.Bench micro [BenchmarkDotNet options, e.g. --job short --filter *Delta*]");
        return 2;
    }
}
