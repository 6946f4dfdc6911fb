using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace ScuttlebuttAkka.Tests.Agent;

/// <summary>
/// One agent started as a separate process (the built ScuttlebuttAkka.Agent.dll on the tests' own dotnet), with its
/// standard output and error kept line by line. Waits search every line seen so far and then the new ones, so a line
/// that came early is never missed; every wait is bounded, and the process is killed on dispose.
/// </summary>
internal sealed class AgentProcess : IDisposable
{
    private readonly Process _process;
    private readonly object _gate = new();
    private readonly List<string> _stdout = new();
    private readonly List<string> _stderr = new();
    private TaskCompletionSource _changed = NewSignal();
    private bool _stdoutClosed;
    private bool _stderrClosed;

    private AgentProcess(Process process) => _process = process;

    /// <summary>Standard output so far, one item per line.</summary>
    public IReadOnlyList<string> Stdout
    {
        get
        {
            lock (_gate)
                return _stdout.ToArray();
        }
    }

    /// <summary>Standard error so far, one item per line.</summary>
    public IReadOnlyList<string> Stderr
    {
        get
        {
            lock (_gate)
                return _stderr.ToArray();
        }
    }

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>Starts the agent with <paramref name="args"/>.</summary>
    public static AgentProcess Start(params string[] args)
    {
        var agentDll = Path.Combine(AppContext.BaseDirectory, "ScuttlebuttAkka.Agent.dll");
        Assert.True(File.Exists(agentDll), $"The agent is not built next to the tests: {agentDll}");
        var info = new ProcessStartInfo(DotnetHost.Path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(agentDll);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        var process = new Process { StartInfo = info };
        var agent = new AgentProcess(process);
        process.OutputDataReceived += (_, e) => agent.Add(agent._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => agent.Add(agent._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return agent;
    }

    /// <summary>How many lines standard output has had; pass it as "since" to wait only for later lines.</summary>
    public int StdoutCount
    {
        get
        {
            lock (_gate)
                return _stdout.Count;
        }
    }

    /// <summary>
    /// Waits for a JSON line from <paramref name="since"/> on that <paramref name="match"/>es; every line on the way
    /// must be one JSON object (the contract of --output json).
    /// </summary>
    public async Task<JsonElement> WaitForJsonAsync(Func<JsonElement, bool> match, TimeSpan timeout, int since = 0)
    {
        var line = await WaitForAsync(_stdout, l => match(ParseObject(l)), timeout, since, "standard output");
        return ParseObject(line);
    }

    /// <summary>Waits for a JSON line of type <paramref name="type"/> about <paramref name="peer"/> (any peer when null).</summary>
    public Task<JsonElement> WaitForEventAsync(string type, string? peer, TimeSpan timeout, int since = 0) =>
        WaitForJsonAsync(e => Type(e) == type && (peer is null || Str(e, "peer") == peer), timeout, since);

    /// <summary>Waits for a text line on standard output that <paramref name="match"/>es.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, int since = 0) =>
        WaitForAsync(_stdout, match, timeout, since, "standard output");

    /// <summary>Waits for a line on standard error that <paramref name="match"/>es.</summary>
    public Task<string> WaitForStderrAsync(Func<string, bool> match, TimeSpan timeout) =>
        WaitForAsync(_stderr, match, timeout, 0, "standard error");

    /// <summary>Writes one command line to the agent's standard input.</summary>
    public void Send(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>Sends a command and returns the first reply line of type <paramref name="replyType"/> (or an error reply).</summary>
    public async Task<JsonElement> AskAsync(string command, string replyType, TimeSpan timeout)
    {
        var since = StdoutCount;
        Send(command);
        return await WaitForJsonAsync(e => Type(e) == replyType || Type(e) == "error", timeout, since);
    }

    /// <summary>Closes standard input (end of input).</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Sends SIGTERM, as a service manager stopping the agent would.</summary>
    public void Terminate()
    {
        Assert.True(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "SIGTERM needs a Unix-like system.");
        Assert.Equal(0, SendSignal(_process.Id, SigTerm));
    }

    /// <summary>Kills the process at once (a crash: no leave).</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>Waits for the process to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The agent did not exit within {timeout.TotalSeconds:0} s.\n{Transcript()}");
        }

        // WaitForExit without a timeout also waits for the redirected streams to be read to their end.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Everything the agent wrote, for failure messages.</summary>
    public string Transcript()
    {
        lock (_gate)
            return "stdout:\n" + string.Join('\n', _stdout) + "\nstderr:\n" + string.Join('\n', _stderr);
    }

    /// <summary>The "type" of a JSON line.</summary>
    public static string? Type(JsonElement e) => Str(e, "type");

    /// <summary>A string property of a JSON line, or null.</summary>
    public static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }

        _process.Dispose();
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code enabled for the whole test project.
    private static extern int SendSignal(int pid, int signal);
#pragma warning restore SYSLIB1054

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private JsonElement ParseObject(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
            return doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            Assert.Fail($"Not a JSON line: '{line}' ({e.Message})\n{Transcript()}");
            throw;
        }
    }

    private void Add(List<string> lines, string? line)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (line is not null)
                lines.Add(line);
            else if (lines == _stdout)
                _stdoutClosed = true;
            else
                _stderrClosed = true;
            changed = _changed;
            _changed = NewSignal();
        }

        changed.TrySetResult();
    }

    private async Task<string> WaitForAsync(List<string> lines, Func<string, bool> match, TimeSpan timeout, int since, string stream)
    {
        var deadline = Task.Delay(timeout);
        var next = since;
        while (true)
        {
            Task changed;
            string[] fresh;
            bool closed;
            lock (_gate)
            {
                fresh = lines.Skip(next).ToArray();
                changed = _changed.Task;
                closed = _stdoutClosed && _stderrClosed;
            }

            foreach (var line in fresh)
            {
                next++;
                if (match(line))
                    return line;
            }

            if (closed)
                Assert.Fail($"The agent exited without the awaited line on {stream}.\n{Transcript()}");
            if (await Task.WhenAny(changed, deadline) == deadline)
            {
                Assert.Fail($"No matching line on {stream} within {timeout.TotalSeconds:0} s.\n{Transcript()}");
            }
        }
    }
}
