using System.Diagnostics;
using System.Text;

namespace ScuttlebuttAkka.Tests.EndToEnd;

/// <summary>What the network-namespace test needs from the machine, and the commands it runs.</summary>
internal static class NetnsEnvironment
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Null when this machine can run the test; else why not.</summary>
    public static string? WhyUnavailable()
    {
        if (!OperatingSystem.IsLinux())
            return "network namespaces need Linux";
        if (!IsRoot())
            return "network namespaces need root (run the tests as root, as .ci/run does in its container)";
        foreach (var tool in new[] { "ip", "nft" })
        {
            if (FindOnPath(tool) is null)
                return $"'{tool}' is not installed (iproute2 and nftables; .ci/run installs them)";
        }

        return null;
    }

    /// <summary>Runs a command to completion (bounded); returns its exit code and everything it printed.</summary>
    public static (int ExitCode, string Output) Run(string file, IEnumerable<string> arguments, string? stdin = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }

        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{file} {string.Join(' ', start.ArgumentList)} timed out");
        }

        output.Append(stdout.Result).Append(stderr.Result);
        return (process.ExitCode, output.ToString().Trim());
    }

    private static bool IsRoot()
    {
        // The effective uid is the second field of the Uid line in /proc/self/status.
        var uid = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        var fields = uid?.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return fields is { Length: >= 3 } && fields[2] == "0";
    }

    private static string? FindOnPath(string tool)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/sbin", "/sbin"]))
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate))
                return candidate;
        }

        return null;
    }
}
