using SharpFuzz;

namespace ScuttlebuttAkka.Fuzz;

/// <summary>
/// The AFL harness (see fuzz/run.sh and docs/security.md): with no arguments it serves afl-fuzz, one input per
/// run read from standard input; "--seeds DIR" writes the starting corpus; "--replay FILE..." runs saved inputs once,
/// outside AFL, to reproduce a crash with its stack trace.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args is ["--seeds", var directory])
        {
            var written = SeedCorpus.Write(directory);
            Console.WriteLine($"wrote {written} seed datagrams to {directory}");
            return 0;
        }

        if (args is ["--replay", .. var files] && files.Length > 0)
        {
            foreach (var file in files)
            {
                var outcome = FuzzTarget.Run(File.ReadAllBytes(file));
                Console.WriteLine($"{file}: {outcome}");
            }

            return 0;
        }

        if (args.Length != 0)
        {
            Console.Error.WriteLine("usage: ScuttlebuttAkka.Fuzz [--seeds DIR | --replay FILE...]   (no arguments: run under afl-fuzz)");
            return 2;
        }

        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            FuzzTarget.Run(buffer.ToArray());
        });
        return 0;
    }
}
