using System.Diagnostics;
using System.Globalization;
using System.Text;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Simulation;
using Xunit.Abstractions;

namespace ScuttlebuttAkka.Tests.Simulation;

/// <summary>
/// Shared steps of the chaos scenarios: a deterministic write load, the convergence wait, the invariant checks with a
/// readable failure (the seed, what broke, the end of the journal), and the figures printed to the test output.
/// </summary>
internal sealed class ChaosRun
{
    private readonly ITestOutputHelper _output;
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private readonly Random _script;

    public ChaosRun(ITestOutputHelper output, SimulationOptions options)
    {
        _output = output;
        Options = options with { JournalCapacity = Math.Max(options.JournalCapacity, 400) };
        Simulator = new ClusterSimulator(Options);
        // The script draws from its own seeded source so that it does not depend on what the cluster draws.
        _script = new Random(options.Seed ^ 0x5EED);
    }

    public SimulationOptions Options { get; }

    public ClusterSimulator Simulator { get; }

    /// <summary>
    /// From <paramref name="from"/> to <paramref name="until"/>, every second <paramref name="perSecond"/> random running
    /// nodes among <paramref name="writers"/> (all when null) write one of eight keys; one write in ten carries a
    /// time to live of 15 s, and every fifth second one of them deletes one of its live keys instead.
    /// </summary>
    public void WriteLoad(int from, int until, int perSecond, Func<SimulatedNode, bool>? writers = null)
    {
        for (var t = from; t < until; t++)
        {
            var second = t;
            Simulator.At(TimeSpan.FromSeconds(second), sim =>
            {
                var candidates = sim.RunningNodes.Where(n => !n.IsLeaving && (writers?.Invoke(n) ?? true)).ToArray();
                for (var i = 0; i < perSecond && candidates.Length > 0; i++)
                {
                    var node = candidates[_script.Next(candidates.Length)];
                    var key = "k" + _script.Next(8).ToString(CultureInfo.InvariantCulture);
                    if (second % 5 == 0 && i == 0)
                        DeleteOneKey(sim, node);
                    else if (_script.Next(10) == 0)
                        sim.Write(node.Id, key, $"{node.Id}@{second}", TimeSpan.FromSeconds(15));
                    else
                        sim.Write(node.Id, key, $"{node.Id}@{second}");
                }
            });
        }
    }

    private void DeleteOneKey(ClusterSimulator sim, SimulatedNode node)
    {
        var live = node.State!.Self.Pairs
            .Where(p => !p.Value.IsDeleted && !ReservedKeys.IsReserved(p.Key))
            .Select(p => p.Key)
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (live.Length > 0)
            sim.Delete(node.Id, live[_script.Next(live.Length)]);
    }

    /// <summary>
    /// Runs until the tombstones of the last writes are due for collection everywhere: the last write at
    /// <paramref name="lastWriteSecond"/>, its time to live (15 s) and the tombstone grace period, plus ten rounds for
    /// the last nodes to receive it and for the collection cadence.
    /// </summary>
    public void RunPastTombstoneGrace(int lastWriteSecond)
    {
        var due = TimeSpan.FromSeconds(lastWriteSecond + 15) + Options.NodeSettings.TombstoneGracePeriod + (10 * Simulator.GossipInterval);
        Simulator.RunUntil(due > Simulator.Now ? due : Simulator.Now);
    }

    /// <summary>Runs until every running view is identical, no write is lost and every running node sees every other alive; returns the rounds it took.</summary>
    public int Converge(int withinRounds)
    {
        var took = Simulator.RunUntil(
            sim => ClusterChecks.FindDivergence(sim) is null && ClusterChecks.FindLostWrites(sim).Count == 0 && ClusterChecks.FindMisjudgedPeers(sim).Count == 0,
            Simulator.GossipInterval,
            Simulator.GossipInterval * withinRounds);
        if (took is null)
            Fail($"did not converge within {withinRounds} rounds", Problems());
        return (int)Math.Round(took!.Value / Simulator.GossipInterval);
    }

    /// <summary>Every invariant of a settled cluster; fails with all that broke.</summary>
    public void AssertSettled(bool tombstonesCollected)
    {
        var problems = Problems();
        problems.AddRange(ClusterChecks.FindGhosts(Simulator).Select(g => "ghost: " + g));
        problems.AddRange(Simulator.Metrics.Resurrections.Select(r => "resurrection: " + r));
        if (tombstonesCollected && ClusterChecks.CountTombstones(Simulator) is var tombstones and > 0)
            problems.Add($"{tombstones} tombstones are still held after the grace period");
        if (problems.Count > 0)
            Fail("the settled cluster breaks invariants", problems);
    }

    /// <summary>Fails when a running, reachable peer was ever declared down.</summary>
    public void AssertNoFalsePositives()
    {
        var wrong = Simulator.Metrics.FalsePositives.Select(e => $"{e.Observer} declared {e.Peer}@{e.Generation} down at {e.AtMs} ms").ToList();
        if (wrong.Count > 0)
            Fail("live, reachable peers were declared down", wrong);
    }

    public void Report(string scenario, int convergenceRounds)
    {
        var m = Simulator.Metrics;
        var net = Simulator.Network.Totals();
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{scenario}: seed {Options.Seed}, {Options.NodeCount} nodes, {Simulator.Now.TotalSeconds:F0} virtual s in {_wall.Elapsed.TotalSeconds:F2} real s; trace {Simulator.TraceHash:X16}"));
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  converged {convergenceRounds} rounds after the faults stopped; writes {m.Writes.Count} (propagation p50 {m.PropagationPercentileMs(50)} ms, p99 {m.PropagationPercentileMs(99)} ms, max {m.PropagationPercentileMs(100)} ms, abandoned {m.Writes.Count(w => w.Abandoned)})"));
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {m.BytesPerNodePerRound:F0} bytes/node/round; downs {m.Downs.Count()}, false positives {m.FalsePositives.Count()}; network lost {net.Lost}, duplicated {net.Duplicated}, reordered {net.Reordered}, blocked {net.Blocked}, undeliverable {net.Undeliverable}"));
    }

    private List<string> Problems()
    {
        var problems = new List<string>();
        if (ClusterChecks.FindDivergence(Simulator) is { } divergence)
            problems.Add("divergence: " + divergence);
        problems.AddRange(ClusterChecks.FindLostWrites(Simulator).Select(l => "lost write: " + l));
        problems.AddRange(ClusterChecks.FindMisjudgedPeers(Simulator).Select(p => "misjudged: " + p));
        return problems;
    }

    private void Fail(string what, IReadOnlyCollection<string> problems)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Seed {Options.Seed} at {Simulator.Now.TotalSeconds:F0} virtual s: {what} ({problems.Count} problems).");
        foreach (var p in problems.Take(20))
            text.AppendLine("  " + p);
        text.AppendLine("Journal tail:");
        foreach (var line in Simulator.Journal.TakeLast(60))
            text.AppendLine("  " + line);
        throw new Xunit.Sdk.XunitException(text.ToString());
    }
}
