using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace ScuttlebuttAkka.Tests.EndToEnd;

/// <summary>One ScuttlebuttAkka.NetnsNode child process inside a network namespace, and the views it prints.</summary>
internal sealed class NetnsNodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _other = new();
    private readonly Lock _gate = new();
    private JsonElement? _lastView;

    private NetnsNodeProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                _other.Enqueue("stderr: " + e.Data);
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The latest view the node printed, or null before its first.</summary>
    public JsonElement? LastView
    {
        get
        {
            lock (_gate)
                return _lastView;
        }
    }

    /// <summary>Lines that were not views (Akka's log, errors), for the failure message.</summary>
    public IEnumerable<string> OtherOutput => _other;

    /// <summary>Starts the node in <paramref name="netns"/> with the given node arguments.</summary>
    public static NetnsNodeProcess Start(string netns, IEnumerable<string> nodeArguments)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "ScuttlebuttAkka.NetnsNode.dll");
        if (!File.Exists(dll))
            throw new FileNotFoundException("The network-namespace node was not built beside the tests.", dll);
        var start = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "netns", "exec", netns, DotnetHost.Path, dll }.Concat(nodeArguments))
            start.ArgumentList.Add(a);
        return new NetnsNodeProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start ip netns exec"));
    }

    /// <summary>The node's view of <paramref name="peer"/>'s key, or null when it does not hold it.</summary>
    public string? Lookup(string peer, string key) =>
        LastView is { } view
        && view.TryGetProperty("peers", out var peers)
        && peers.TryGetProperty(peer, out var p)
        && p.GetProperty("keys").TryGetProperty(key, out var value)
            ? value.GetString()
            : null;

    /// <summary>Asks the node to leave and waits (bounded) for it to exit; kills it if it does not.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.WriteLine("quit");
                _process.StandardInput.Flush();
                if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
                    _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (IOException)
        {
            _process.Kill(entireProcessTree: true);
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
            return;
        if (line.StartsWith("VIEW ", StringComparison.Ordinal))
        {
            using var document = JsonDocument.Parse(line.AsMemory(5));
            var view = document.RootElement.Clone();
            lock (_gate)
                _lastView = view;
        }
        else if (_other.Count < 200)
        {
            _other.Enqueue(line);
        }
    }
}
