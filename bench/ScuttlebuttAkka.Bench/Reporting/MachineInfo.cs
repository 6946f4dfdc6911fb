using System.Runtime.InteropServices;

namespace ScuttlebuttAkka.Bench.Reporting;

/// <summary>The machine a run came from, so figures can be compared with the right ones.</summary>
/// <param name="Processors">Logical processors.</param>
/// <param name="MemoryGiB">Memory available to the process.</param>
/// <param name="Os">Operating system.</param>
/// <param name="Runtime">.NET runtime.</param>
/// <param name="LoadAverage">1/5/15-minute load averages when the run started (Linux), else empty.</param>
internal sealed record MachineInfo(int Processors, double MemoryGiB, string Os, string Runtime, string LoadAverage)
{
    /// <summary>This machine, now.</summary>
    public static MachineInfo Current() => new(
        Environment.ProcessorCount,
        Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024), 1),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        ReadLoadAverage());

    /// <summary>The load averages from /proc/loadavg, or empty where there is none.</summary>
    public static string ReadLoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "";
        }
        catch (IOException)
        {
            return "";
        }
    }
}
