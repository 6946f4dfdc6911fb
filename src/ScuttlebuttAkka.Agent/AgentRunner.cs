using System.Globalization;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Configuration;

namespace ScuttlebuttAkka.Agent;

/// <summary>
/// Runs one node until told to stop: prints "listening ADDRESS" first (scripts and tests read it to seed others), then
/// one line per membership event; reads commands from standard input; leaves gracefully on SIGINT, SIGTERM, the
/// "leave" command, or the end of input when asked to.
/// </summary>
internal static class AgentRunner
{
    private const string Help = """
        commands:
          members, m        the member table (status, address, generation, version, keys)
          set KEY=VALUE     set one of this node's keys
          delete KEY        delete one of this node's keys
          stats             this node's traffic counters
          leave, quit, q    leave the cluster gracefully and exit
          help              this text
        """;

    /// <summary>Runs the agent; returns the process exit code.</summary>
    public static async Task<int> RunAsync(AgentOptions options, TextReader input, TextWriter output, CancellationToken cancellationToken)
    {
        var gate = new object();
        void Write(string text)
        {
            lock (gate)
            {
                output.WriteLine(text);
                output.Flush();
            }
        }

        void Event(string line) => Write(DateTime.Now.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture) + " " + line);

        var config = ConfigurationFactory.ParseString($"""
            akka.loglevel = {(options.Verbose ? "INFO" : "WARNING")}
            akka.log-dead-letters = off
            akka.log-dead-letters-during-shutdown = off
            akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
            """);
        using var system = ActorSystem.Create("scuttlebutt-agent", config);
        ScuttlebuttNode node;
        try
        {
            node = await ScuttlebuttNode.StartAsync(system, options.Settings, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"could not start the node on {options.Settings.Bind}: {e.GetBaseException().Message}").ConfigureAwait(false);
            await system.Terminate().ConfigureAwait(false);
            return 1;
        }

        Write($"listening {node.Address}");
        Write($"node {node.NodeId}, generation {node.Generation}, cluster {options.Settings.ClusterName}, bound {node.BoundEndPoint}, " +
              $"interval {options.Settings.GossipInterval.TotalMilliseconds:0} ms, seeds [{string.Join(", ", options.Settings.Seeds)}]; type 'help' for commands");

        var stop = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSignal(PosixSignalContext context)
        {
            // The first signal starts a graceful leave; a second one gets the default action (exit now).
            if (stop.TrySetResult(context.Signal.ToString()))
                context.Cancel = true;
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var cancelled = cancellationToken.Register(() => stop.TrySetResult("cancelled"));

        var printer = system.ActorOf(EventPrinter.Props(Event, options.ShowUpdates), "printer");
        await node.SubscribeAsync(printer, initialStateAsEvents: true, cancellationToken).ConfigureAwait(false);

        using var running = new CancellationTokenSource();
        _ = Task.Run(() => ReadCommandsAsync(node, input, Write, stop, options.ExitOnEof, running.Token), CancellationToken.None);
        if (options.TableEvery is { } every)
            _ = PrintTablePeriodicallyAsync(node, every, Write, running.Token);

        var reason = await stop.Task.ConfigureAwait(false);
        await running.CancelAsync().ConfigureAwait(false);
        Write($"leaving the cluster ({reason})");
        await node.LeaveAsync().ConfigureAwait(false);
        Write("left");
        await system.Terminate().ConfigureAwait(false);
        return 0;
    }

    private static async Task ReadCommandsAsync(ScuttlebuttNode node, TextReader input, Action<string> write, TaskCompletionSource<string> stop, bool exitOnEof, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            string? line;
            try
            {
                line = await input.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (line is null)
            {
                if (exitOnEof)
                    stop.TrySetResult("end of input");
                return;
            }

            Execute(node, line.Trim(), write, stop);
        }
    }

    private static void Execute(ScuttlebuttNode node, string line, Action<string> write, TaskCompletionSource<string> stop)
    {
        var parts = line.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
            return;
        var argument = parts.Length > 1 ? parts[1] : "";
        try
        {
            switch (parts[0].ToLowerInvariant())
            {
                case "members" or "m" or "table":
                    write(MemberTable.Format(node.View));
                    break;
                case "set":
                    var eq = argument.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0)
                    {
                        write("usage: set KEY=VALUE");
                        break;
                    }

                    node.UpdateLocal(argument[..eq], argument[(eq + 1)..]);
                    write($"set {argument[..eq]}");
                    break;
                case "delete" or "del":
                    if (argument.Length == 0)
                    {
                        write("usage: delete KEY");
                        break;
                    }

                    node.Delete(argument);
                    write($"deleted {argument}");
                    break;
                case "stats":
                    var s = node.Statistics;
                    write($"rounds {s.Rounds}, datagrams in {s.DatagramsIn} out {s.DatagramsOut}, bytes in {s.BytesIn} out {s.BytesOut}, " +
                          $"dropped {s.DroppedTotal}" + (s.DroppedTotal > 0 ? " (" + string.Join(", ", s.DroppedByReason().Select(kv => $"{kv.Key} {kv.Value}")) + ")" : ""));
                    break;
                case "leave" or "quit" or "exit" or "q":
                    stop.TrySetResult("leave command");
                    break;
                case "help" or "?" or "h":
                    write(Help.TrimEnd());
                    break;
                default:
                    write($"unknown command '{parts[0]}'; type 'help'");
                    break;
            }
        }
        catch (ArgumentException e)
        {
            write($"error: {e.Message}");
        }
    }

    private static async Task PrintTablePeriodicallyAsync(ScuttlebuttNode node, TimeSpan every, Action<string> write, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(every);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                write(MemberTable.Format(node.View));
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
