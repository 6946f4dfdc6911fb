using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ScuttlebuttAkka.Agent;

/// <summary>
/// Everything the running agent writes. Standard output carries events, table rows and command replies, one per line,
/// as text or JSON (<see cref="OutputFormat"/>); standard error carries warnings and errors, one line each. Every line
/// is written whole under a lock, since events, replies and timers come from different threads.
/// </summary>
internal sealed class AgentOutput
{
    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;
    private readonly Func<DateTimeOffset> _clock;
    private readonly object _gate = new();

    // Keys and values are application text: keep non-ASCII readable. The output is a stream of lines, never HTML.
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Creates the output of node <paramref name="observer"/>.</summary>
    public AgentOutput(TextWriter stdout, TextWriter stderr, OutputFormat format, string observer, Func<DateTimeOffset>? clock = null)
    {
        _stdout = stdout;
        _stderr = stderr;
        Format = format;
        Observer = observer;
        _clock = clock ?? (() => DateTimeOffset.Now);
    }

    /// <summary>Text or JSON.</summary>
    public OutputFormat Format { get; }

    /// <summary>The id of the node whose output this is; every JSON line names it.</summary>
    public string Observer { get; }

    /// <summary>
    /// Writes one item of type <paramref name="type"/>: in text, the time and <paramref name="text"/>; in JSON, the time,
    /// the observer, the type and whatever <paramref name="fields"/> writes.
    /// </summary>
    public void Emit(string type, string text, Action<Utf8JsonWriter>? fields = null)
    {
        var now = _clock();
        var line = Format == OutputFormat.Json ? JsonLine(now, type, fields) : TextTime(now) + " " + text;
        Write(_stdout, line);
    }

    /// <summary>Writes a warning to standard error, with the time.</summary>
    public void Warning(string message) => Write(_stderr, TextTime(_clock()) + " warning: " + message);

    /// <summary>Writes an error to standard error, with the time.</summary>
    public void Error(string message) => Write(_stderr, TextTime(_clock()) + " error: " + message);

    /// <summary>Writes a line from Akka's logging to standard error, as it is.</summary>
    public void Log(string line) => Write(_stderr, line);

    /// <summary>The time as text lines show it: local date, time to the millisecond, and the zone's offset.</summary>
    public static string TextTime(DateTimeOffset time) => time.ToString("yyyy-MM-dd HH:mm:ss.fff zzz", CultureInfo.InvariantCulture);

    /// <summary>The time as JSON lines show it: ISO 8601 in UTC, to the millisecond.</summary>
    public static string JsonTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private string JsonLine(DateTimeOffset now, string type, Action<Utf8JsonWriter>? fields)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("time", JsonTime(now));
            json.WriteString("observer", Observer);
            json.WriteString("type", type);
            fields?.Invoke(json);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private void Write(TextWriter writer, string line)
    {
        lock (_gate)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }
}
