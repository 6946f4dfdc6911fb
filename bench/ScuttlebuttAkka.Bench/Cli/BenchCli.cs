using System.CommandLine;
using ScuttlebuttAkka.Bench.Clusters;
using ScuttlebuttAkka.Bench.Compare;
using ScuttlebuttAkka.Bench.Fuzz;
using ScuttlebuttAkka.Bench.Micro;
using ScuttlebuttAkka.Bench.Scenarios;

namespace ScuttlebuttAkka.Bench.Cli;

/// <summary>The command tree: the default command measures everything; each subcommand measures one thing.</summary>
internal static class BenchCli
{
    /// <summary>Builds the root command.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand(
            "ScuttlebuttAkka evaluation: a cluster of N nodes in one process over real UDP on loopback (or, with --transport sim, on the simulator in virtual time). With no subcommand, " +
            "measures formation, discovery, update propagation, failure detection, graceful leave and idle cost, and " +
            "prints a table, writes JSON and a propagation plot.");
        var all = new BenchOptionSet("all", defaultNodes: 64);
        all.AddTo(root);
        root.SetAction((result, token) => Cancellable(() => MeasureCommand.RunAsync(all.Read(result), Measurements.All, token)));

        root.Subcommands.Add(Measuring("propagate", "Update propagation: a random node writes a fresh value; time until every other node has it.", Measurements.Propagation));
        root.Subcommands.Add(Measuring("discover", "Discovery: time until all nodes know a new node; then its graceful leave.", Measurements.Discovery | Measurements.Leave));
        root.Subcommands.Add(Measuring("detect", "Failure detection of a crashed node, after an idle watch for false positives (--idle-seconds).", Measurements.IdleWatch | Measurements.Detection));
        root.Subcommands.Add(Cost());
        root.Subcommands.Add(Compare());
        root.Subcommands.Add(Simulated.ScaleCommand.Build());
        root.Subcommands.Add(Simulated.PaperCommand.Build());
        root.Subcommands.Add(Fuzz());
        root.Subcommands.Add(Micro());
        return root;
    }

    private static Command Measuring(string name, string description, Measurements measurements)
    {
        var command = new Command(name, description);
        var options = new BenchOptionSet(name, defaultNodes: 64);
        options.AddTo(command);
        command.SetAction((result, token) => Cancellable(() => MeasureCommand.RunAsync(options.Read(result), measurements, token)));
        return command;
    }

    private static Command Cost()
    {
        var command = new Command("cost", "CPU time and bytes per node per second while the cluster is idle (--idle-seconds).");
        var options = new BenchOptionSet("cost", defaultNodes: 64);
        options.AddTo(command);
        var breakdown = new Option<bool>("--breakdown") { Description = "Also decode every datagram sent and show the bytes by message type (costs CPU: read the CPU figure from a run without it)." };
        command.Options.Add(breakdown);
        command.Validators.Add(r =>
        {
            if (r.GetValue(breakdown) && r.GetValue(options.Transport!) == "sim")
                r.AddError("--breakdown counts datagrams on real sockets: use it with --transport udp.");
        });
        command.SetAction((result, token) => Cancellable(() => MeasureCommand.RunAsync(
            options.Read(result),
            Measurements.IdleCost,
            token,
            result.GetValue(breakdown) ? ScuttlebuttCluster.UdpWithTally : null)));
        return command;
    }

    private static Command Compare()
    {
        var command = new Command("compare", "The same measurements on Akka.Cluster + Akka.DistributedData (N ActorSystems, remoting on loopback), side by side with ours.");
        var options = new BenchOptionSet("compare", defaultNodes: 16, offerTransport: false);
        options.AddTo(command);
        var theirDefaults = new Option<bool>("--their-defaults") { Description = "Run Akka with its default intervals and failure detector instead of ours." };
        command.Options.Add(theirDefaults);
        command.SetAction((result, token) =>
        {
            var parsed = options.Read(result, result.GetValue(theirDefaults));
            if (parsed.TheirDefaults)
                parsed = parsed with { Command = "compare-their-defaults", JsonPath = result.GetValue(options.Json) ?? parsed.JsonPath.Replace("compare.json", "compare-their-defaults.json", StringComparison.Ordinal) };
            return Cancellable(() => CompareCommand.RunAsync(parsed, token));
        });
        return command;
    }

    private static Command Fuzz()
    {
        var command = new Command("fuzz", "Hostile datagrams from a raw UDP socket to one node of a small cluster: all must be dropped and counted, the view unchanged, the cluster still converging.");
        var options = new BenchOptionSet("fuzz", defaultNodes: 4, offerTransport: false);
        options.AddTo(command);
        var count = new Option<int>("--datagrams") { Description = "How many hostile datagrams to send.", DefaultValueFactory = _ => 20_000 };
        count.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 10_000_000)
                r.AddError("--datagrams must be between 1 and 10000000.");
        });
        command.Options.Add(count);
        command.SetAction((result, token) =>
        {
            var parsed = options.Read(result);
            return Cancellable(() => FuzzCommand.RunAsync(parsed.Nodes, result.GetValue(count), parsed.Seed, parsed.JsonPath, token));
        });
        return command;
    }

    /// <summary>Runs a command; Ctrl+C (which cancels its token) ends it with a line and exit code 130, not a stack trace.</summary>
    private static async Task<int> Cancellable(Func<Task<int>> run)
    {
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("cancelled").ConfigureAwait(false);
            return 130;
        }
    }

    private static Command Micro()
    {
        // Every argument after "micro" belongs to BenchmarkDotNet (--filter, --job, ...), so none is parsed here.
        var command = new Command("micro", "BenchmarkDotNet micro-benchmarks of the protocol core; arguments go to BenchmarkDotNet (e.g. --filter '*').")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(result => MicroCommand.Run(result.UnmatchedTokens.ToArray()));
        return command;
    }
}
