using CsCheck;
using Xunit.Sdk;

namespace ScuttlebuttAkka.Tests.Protocol.Wire;

/// <summary>
/// Runs a CsCheck generator over a fixed list of seeds. CsCheck's own <c>Sample</c> draws fresh seeds on every run, and
/// the tests here must be reproducible, so each case comes from its own fixed PCG seed and a failure names that seed.
/// The seed is in CsCheck's format: set <c>CsCheck_Seed</c> to it to replay only that case here, or hand it to
/// <c>Check.Sample(gen, property, seed: ...)</c> to replay it with CsCheck and let it shrink the case. Set
/// <c>CsCheck_Iter</c> to run more (or fewer) cases than the test asks for.
/// </summary>
internal static class DeterministicCheck
{
    public static void ForAll<T>(Gen<T> gen, int cases, ulong firstSeed, Action<T> property, Func<T, string> describe)
    {
        var replay = Environment.GetEnvironmentVariable("CsCheck_Seed");
        if (!string.IsNullOrWhiteSpace(replay))
        {
            Run(gen, PCG.Parse(replay.Trim()), property, describe);
            return;
        }

        if (int.TryParse(Environment.GetEnvironmentVariable("CsCheck_Iter"), out var iterations) && iterations > 0)
            cases = iterations;
        for (var i = 0UL; i < (ulong)cases; i++)
            Run(gen, new PCG(1, firstSeed + i), property, describe);
    }

    private static void Run<T>(Gen<T> gen, PCG pcg, Action<T> property, Func<T, string> describe)
    {
        var seed = pcg.ToString();
        var value = gen.Generate(pcg, null, out _);
        try
        {
            property(value);
        }
        catch (Exception e)
        {
            throw new XunitException($"Property failed for CsCheck_Seed={seed}: {e.Message}\nCase: {describe(value)}\n{e.StackTrace}");
        }
    }
}
