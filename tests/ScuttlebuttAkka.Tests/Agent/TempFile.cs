namespace ScuttlebuttAkka.Tests.Agent;

/// <summary>A file with the given text in the temporary folder, deleted on dispose.</summary>
internal sealed class TempFile : IDisposable
{
    /// <summary>Writes <paramref name="text"/> to a new temporary file.</summary>
    public TempFile(string text)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "scuttlebutt-agent-" + Guid.NewGuid().ToString("N") + ".conf");
        File.WriteAllText(Path, text);
    }

    /// <summary>Where the file is.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public void Dispose() => File.Delete(Path);
}
