using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;

namespace ScuttlebuttAkka.Tests.Agent;

/// <summary>
/// Runs the command-line agent as real separate processes on loopback: two of them find each other, show each other
/// in the member table, and report a graceful leave. Every wait is bounded and every process is killed at the end.
/// </summary>
public sealed class AgentProcessTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Two_agents_find_each_other_list_each_other_and_report_a_graceful_leave()
    {
        var cluster = "agent-test-" + Guid.NewGuid().ToString("N")[..8];
        using var a = AgentProcess.Start("--id", "agent-a", "--bind", "127.0.0.1:0", "--preset", "local", "--cluster", cluster, "--set", "role=alpha", "--updates");
        var listening = await a.WaitForLineAsync(l => l.StartsWith("listening ", StringComparison.Ordinal), Generous);
        var addressOfA = listening["listening ".Length..].Trim();

        using var b = AgentProcess.Start("--id", "agent-b", "--bind", "127.0.0.1:0", "--preset", "local", "--cluster", cluster,
            "--seeds", addressOfA, "--set", "role=beta", "--exit-on-eof");

        await b.WaitForLineAsync(l => l.Contains(" joined agent-a " + addressOfA, StringComparison.Ordinal), Generous);
        await a.WaitForLineAsync(l => l.Contains(" joined agent-b ", StringComparison.Ordinal), Generous);
        await a.WaitForLineAsync(l => l.Contains(" updated agent-b role=beta ", StringComparison.Ordinal), Generous);

        a.Send("members");
        var row = await a.WaitForLineAsync(l => l.StartsWith("agent-b ", StringComparison.Ordinal), Generous);
        Assert.Contains(" alive ", row, StringComparison.Ordinal);
        Assert.Contains("role=beta", row, StringComparison.Ordinal);

        // End of input makes b (started with --exit-on-eof) leave gracefully, which a must report as left, not down.
        b.CloseInput();
        var report = await a.WaitForLineAsync(l => l.Contains(" left agent-b", StringComparison.Ordinal) || l.Contains(" down agent-b", StringComparison.Ordinal), Generous);
        Assert.Contains(" left agent-b", report, StringComparison.Ordinal);
        Assert.Equal(0, await b.WaitForExitAsync(Generous));
    }

    [Fact]
    public async Task An_agent_given_a_malformed_set_argument_exits_with_an_error_instead_of_starting()
    {
        using var agent = AgentProcess.Start("--id", "bad", "--bind", "127.0.0.1:0", "--set", "no-equals-sign");

        var exitCode = await agent.WaitForExitAsync(Generous);

        Assert.NotEqual(0, exitCode);
        Assert.DoesNotContain(agent.Output, l => l.StartsWith("listening ", StringComparison.Ordinal));
    }

    /// <summary>One agent process with its standard output read line by line.</summary>
    private sealed class AgentProcess : IDisposable
    {
        private readonly Process _process;
        private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
        private readonly ConcurrentQueue<string> _all = new();

        private AgentProcess(Process process) => _process = process;

        public IReadOnlyCollection<string> Output => _all.ToArray();

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
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    agent._lines.Writer.TryComplete();
                    return;
                }

                agent._all.Enqueue(e.Data);
                agent._lines.Writer.TryWrite(e.Data);
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                    agent._all.Enqueue("stderr: " + e.Data);
            };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return agent;
        }

        public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                while (await _lines.Reader.WaitToReadAsync(cancel.Token))
                {
                    while (_lines.Reader.TryRead(out var line))
                    {
                        if (match(line))
                            return line;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Reported below with the output so far.
            }

            Assert.Fail($"No matching line from the agent within {timeout.TotalSeconds:0} s. Output so far:\n{string.Join('\n', _all)}");
            return "";
        }

        public void Send(string line)
        {
            _process.StandardInput.WriteLine(line);
            _process.StandardInput.Flush();
        }

        public void CloseInput() => _process.StandardInput.Close();

        public async Task<int> WaitForExitAsync(TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"The agent did not exit within {timeout.TotalSeconds:0} s. Output so far:\n{string.Join('\n', _all)}");
            }

            return _process.ExitCode;
        }

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
    }
}
