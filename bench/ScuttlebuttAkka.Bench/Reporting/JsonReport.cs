using System.Text.Json;

namespace ScuttlebuttAkka.Bench.Reporting;

/// <summary>Writes a <see cref="BenchReport"/> as indented JSON.</summary>
internal static class JsonReport
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes <paramref name="report"/> to <paramref name="path"/>, creating its folder.</summary>
    public static void Write(BenchReport report, string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
            Directory.CreateDirectory(folder);
        File.WriteAllText(path, JsonSerializer.Serialize(report, Options));
    }
}
