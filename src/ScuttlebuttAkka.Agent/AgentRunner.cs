using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Akka.Actor;
using Akka.Configuration;
using ScuttlebuttAkka.Transport;

namespace ScuttlebuttAkka.Agent;

/// <summary>
/// Runs one node until told to stop: prints "listening ADDRESS" first (scripts and tests read it to seed others),
/// then one item per membership event; reads commands from standard input; leaves gracefully on SIGINT, SIGTERM, the
/// "leave" command, or the end of input when asked to.
/// </summary>
internal static class AgentRunner
{
    /// <summary>Runs the agent on the process's console; returns the exit code (<see cref="ExitCode"/>).</summary>
    public static async Task<int> RunAsync(AgentOptions options, CancellationToken cancellationToken)
    {
        // Standard output carries only what the agent writes. Anything else that writes to Console.Out (Akka's
        // bootstrap logger, a library's stray line) goes to standard error instead, where it cannot be mistaken for
        // an event or a reply.
        var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = false };
        var stderr = Console.Error;
        Console.SetOut(stderr);
        var output = new AgentOutput(stdout, stderr, options.Output, options.Settings.NodeId);
        return await RunAsync(options, output, Console.In, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the agent writing to <paramref name="output"/> and reading commands from <paramref name="input"/>.</summary>
    public static async Task<int> RunAsync(AgentOptions options, AgentOutput output, TextReader input, CancellationToken cancellationToken)
    {
        var settings = options.Settings;
        StderrLogger.Target = (output, options.Verbose);

        MetricsEndpoint? metrics = null;
        if (options.MetricsPort is { } metricsPort)
        {
            // Before the node, so that a port in use fails the start instead of following a "listening" line.
            try
            {
                metrics = MetricsEndpoint.Start(options.MetricsHost, metricsPort, settings.NodeId);
            }
            catch (InvalidOperationException e)
            {
                output.Error(e.Message);
                return ExitCode.RuntimeFailure;
            }
        }

        using var metricsScope = metrics;
        using var system = ActorSystem.Create("scuttlebutt-agent", SystemConfig(options));
        ScuttlebuttNode node;
        try
        {
            node = await ScuttlebuttNode.StartAsync(system, settings, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            output.Error(StartFailure(settings, e));
            await system.Terminate().ConfigureAwait(false);
            return ExitCode.RuntimeFailure;
        }

        Listening(node, options, output);
        if (metrics is not null)
            output.Emit("metrics", $"metrics {metrics.Url}", w => w.WriteString("url", metrics.Url));

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

        var printer = system.ActorOf(EventPrinter.Props(output, options.ShowUpdates), "printer");
        await node.SubscribeAsync(printer, initialStateAsEvents: true, cancellationToken).ConfigureAwait(false);

        using var running = new CancellationTokenSource();
        var shell = new CommandShell(node, output, reason => stop.TrySetResult(reason));
        // A pool thread of its own: reading the console blocks whatever the async signature says.
        _ = Task.Run(() => ReadCommandsAsync(shell, input, stop, options.ExitOnEof, running.Token), CancellationToken.None);
        var seedWatch = new SeedWatch(settings.Seeds, settings.GossipInterval, () => node.View.LivePeers.Count(), output);
        _ = seedWatch.CheckNamesAsync(running.Token);
        _ = seedWatch.WatchAsync(running.Token);
        if (options.TableEvery is { } every)
            _ = PrintTablePeriodicallyAsync(node, every, output, running.Token);

        var reason = await stop.Task.ConfigureAwait(false);
        await running.CancelAsync().ConfigureAwait(false);
        output.Emit("leaving", $"leaving the cluster ({reason})", w => w.WriteString("reason", reason));
        await node.LeaveAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
        output.Emit("left", $"left {node.NodeId}", w =>
        {
            w.WriteString("peer", node.NodeId);
            w.WriteNumber("generation", node.Generation);
        });
        await system.Terminate().ConfigureAwait(false);
        return ExitCode.Ok;
    }

    private static Config SystemConfig(AgentOptions options) =>
        ConfigurationFactory.ParseString($"""
            akka.loglevel = {(options.Verbose ? "INFO" : "WARNING")}
            akka.stdout-loglevel = OFF
            akka.loggers = ["ScuttlebuttAkka.Agent.StderrLogger, ScuttlebuttAkka.Agent"]
            akka.log-dead-letters = off
            akka.log-dead-letters-during-shutdown = off
            akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
            """).WithFallback(options.FileConfig);

    private static string StartFailure(ScuttlebuttSettings settings, Exception e)
    {
        for (var cause = e; cause is not null; cause = cause.InnerException)
        {
            if (cause is UdpBindException)
                return $"could not bind {settings.Bind}: {ErrorText.OfInnermost(cause)}";
        }

        return $"could not start the node on {settings.Bind}: {ErrorText.OfInnermost(e)}";
    }

    private static void Listening(ScuttlebuttNode node, AgentOptions options, AgentOutput output)
    {
        var settings = options.Settings;
        var interval = settings.GossipInterval.TotalMilliseconds;
        output.Emit("listening", $"listening {node.Address}", w =>
        {
            w.WriteString("address", node.Address);
            w.WriteString("bound", node.BoundEndPoint.ToString());
            w.WriteNumber("generation", node.Generation);
            w.WriteString("cluster", settings.ClusterName);
            w.WriteNumber("interval_ms", interval);
            w.WriteStartArray("seeds");
            foreach (var seed in settings.Seeds)
                w.WriteStringValue(seed);
            w.WriteEndArray();
        });
        if (output.Format == OutputFormat.Text)
        {
            output.Emit("node", string.Create(CultureInfo.InvariantCulture,
                $"node {node.NodeId}, generation {node.Generation}, cluster {settings.ClusterName}, bound {node.BoundEndPoint}, interval {interval:0} ms, seeds [{string.Join(", ", settings.Seeds)}]; type 'help' for commands"));
        }
    }

    private static async Task ReadCommandsAsync(CommandShell shell, TextReader input, TaskCompletionSource<string> stop, bool exitOnEof, CancellationToken cancellationToken)
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

            await shell.ExecuteAsync(line, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task PrintTablePeriodicallyAsync(ScuttlebuttNode node, TimeSpan every, AgentOutput output, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(every);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                MemberTable.Write(node.View, output);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
