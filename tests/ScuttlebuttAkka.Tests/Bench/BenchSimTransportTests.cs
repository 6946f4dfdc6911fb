using System.Diagnostics;
using System.Text.Json;

namespace ScuttlebuttAkka.Tests.Bench;

/// <summary>
/// The bench CLI's <c>--transport sim</c>: the measuring commands run on the simulator in virtual time, report every
/// figure but CPU, and give the same figures for the same seed. Runs the built bench as a separate process.
/// </summary>
public sealed class BenchSimTransportTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("bench-sim-").FullName;

    [Fact]
    public async Task Propagate_on_the_simulator_reaches_every_node_and_records_the_transport()
    {
        var report = await RunJsonAsync("propagate", "--transport", "sim", "--nodes", "16", "--trials", "5", "--seed", "3");

        Assert.Equal("sim", report.GetProperty("transport").GetString());
        var result = report.GetProperty("results")[0];
        Assert.Contains("simulated", result.GetProperty("system").GetString(), StringComparison.Ordinal);
        Assert.Equal(16, result.GetProperty("formation").GetProperty("nodes").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, result.GetProperty("formation").GetProperty("formedMs").ValueKind);
        var propagation = result.GetProperty("propagation");
        Assert.Equal(0, propagation.GetProperty("timedOut").GetInt32());
        Assert.Equal(5, propagation.GetProperty("toAllMs").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("failure").ValueKind);
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_figures_and_another_seed_other_ones()
    {
        string[] Args(int seed) => new[] { "--transport", "sim", "--nodes", "12", "--trials", "4", "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture), "--idle-seconds", "2" };

        var first = await RunJsonAsync("", Args(5));
        var second = await RunJsonAsync("", Args(5));
        var other = await RunJsonAsync("", Args(6));

        static string Figures(JsonElement report)
        {
            var r = report.GetProperty("results")[0];
            return string.Join("|", new[] { "formation", "idleCost", "propagation", "churn", "detection", "falsePositives" }.Select(k => r.GetProperty(k).GetRawText()));
        }

        Assert.Equal(Figures(first), Figures(second));
        Assert.NotEqual(Figures(first), Figures(other));
        var r = first.GetProperty("results")[0];
        Assert.Equal(JsonValueKind.Null, r.GetProperty("idleCost").GetProperty("cpuMsPerNodePerSecond").ValueKind);
        Assert.True(r.GetProperty("idleCost").GetProperty("bytesPerNodePerSecond").GetDouble() > 0);
        Assert.Equal(11, r.GetProperty("detection").GetProperty("reported").GetInt32());
        Assert.Equal(0, r.GetProperty("falsePositives").GetProperty("count").GetInt32());
    }

    [Theory]
    [InlineData("--transport", "tcp")]
    [InlineData("cost", "--transport", "sim", "--breakdown")]
    [InlineData("compare", "--transport", "sim")]
    public async Task A_transport_the_command_cannot_use_is_refused_with_a_message(params string[] args)
    {
        var (exit, output) = await RunAsync(args);

        Assert.NotEqual(0, exit);
        Assert.Contains("transport", output, StringComparison.OrdinalIgnoreCase);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<JsonElement> RunJsonAsync(string command, params string[] args)
    {
        var json = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".json");
        var all = (command.Length > 0 ? new[] { command } : Array.Empty<string>()).Concat(args).Concat(new[] { "--json", json, "--out", _folder }).ToArray();
        var (exit, output) = await RunAsync(all);
        Assert.True(exit == 0, $"bench exited with {exit}:\n{output}");
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        return document.RootElement.Clone();
    }

    private static async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo(DotnetHost.Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(BenchDll());
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException("the bench did not finish within 3 minutes:\n" + await stdout);
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    // The bench is built before the tests (a project reference without its assembly) into its own output folder,
    // in the same configuration as the tests: bin/<configuration>/net10.0 under bench/ScuttlebuttAkka.Bench.
    private static string BenchDll()
    {
        var testsBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testsBin.Name;
        var configuration = testsBin.Parent!.Name;
        var root = testsBin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "ScuttlebuttAkka.sln")))
            root = root.Parent;
        Assert.NotNull(root);
        var dll = Path.Combine(root.FullName, "bench", "ScuttlebuttAkka.Bench", "bin", configuration, framework, "ScuttlebuttAkka.Bench.dll");
        Assert.True(File.Exists(dll), $"The bench is not built: {dll}");
        return dll;
    }
}
