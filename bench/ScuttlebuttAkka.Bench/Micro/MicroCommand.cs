using BenchmarkDotNet.Running;

namespace ScuttlebuttAkka.Bench.Micro;

/// <summary>Runs the BenchmarkDotNet micro-benchmarks; every argument is passed on to BenchmarkDotNet.</summary>
internal static class MicroCommand
{
    public static int Run(string[] args)
    {
        // Without a filter BenchmarkSwitcher asks on the console which benchmarks to run; a scripted run takes them all.
        string[] withFilter = args.Any(a => a is "--filter" or "-f") ? args : ["--filter", "*", .. args];
        var summaries = BenchmarkSwitcher.FromTypes([typeof(CoreBenchmarks)]).Run(withFilter).ToList();
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
