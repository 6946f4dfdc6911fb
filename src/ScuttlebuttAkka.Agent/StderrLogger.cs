using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;
using ScuttlebuttAkka.Transport;

namespace ScuttlebuttAkka.Agent;

/// <summary>
/// Akka's logger for the agent: one line per log event on standard error, never standard output, which belongs to
/// events and replies that scripts parse. A cause is reduced to its message unless the agent runs with --verbose.
/// </summary>
internal sealed class StderrLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    /// <summary>
    /// Where lines go and whether stacks are shown. Static because Akka creates loggers by type name from the
    /// configuration, with no way to hand them arguments; the agent runs one actor system per process.
    /// </summary>
    public static (AgentOutput Output, bool Verbose)? Target { get; set; }

    /// <summary>Creates the logger; Akka calls this.</summary>
    public StderrLogger()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(Print);
    }

    /// <summary>The line for <paramref name="e"/>, or null when the agent reports it itself.</summary>
    public static string? Describe(LogEvent e, bool verbose)
    {
        // A socket that cannot be bound is reported by the agent in one line with its exit code; Akka's copy of the
        // same failure would add a second, longer one.
        if (e is Error && IsBindFailure(e.Cause))
            return null;
        var level = e.LogLevel() switch
        {
            LogLevel.ErrorLevel => "error",
            LogLevel.WarningLevel => "warning",
            LogLevel.InfoLevel => "info",
            _ => "debug",
        };
        var line = $"{AgentOutput.TextTime(new DateTimeOffset(e.Timestamp.ToUniversalTime()).ToLocalTime())} {level}: [{e.LogSource}] {OneLine(e.Message?.ToString() ?? "")}";
        if (e.Cause is { } cause)
            line += verbose ? Environment.NewLine + cause : ": " + ErrorText.OfInnermost(cause);
        return line;
    }

    private static bool IsBindFailure(Exception? cause)
    {
        for (var e = cause; e is not null; e = e.InnerException)
        {
            if (e is UdpBindException)
                return true;
        }

        return false;
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private void Print(LogEvent e)
    {
        if (Target is not { } target)
            return;
        if (Describe(e, target.Verbose) is { } line)
            target.Output.Log(line);
    }
}
