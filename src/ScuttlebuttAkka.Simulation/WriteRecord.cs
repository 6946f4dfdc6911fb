namespace ScuttlebuttAkka.Simulation;

/// <summary>One write (or delete, or expiry) a node accepted, and how long it took to reach every running node.</summary>
/// <param name="Writer">The node that wrote.</param>
/// <param name="Generation">The writer's incarnation.</param>
/// <param name="Key">The key.</param>
/// <param name="Value">The value written; empty for a delete.</param>
/// <param name="Version">The version the write got.</param>
/// <param name="IsDelete">True for a delete or an expiry.</param>
/// <param name="AtMs">When it was accepted, in virtual milliseconds.</param>
public sealed record WriteRecord(string Writer, long Generation, string Key, string Value, long Version, bool IsDelete, long AtMs)
{
    /// <summary>When the last running node got it (or a newer version of the writer's state); null while it has not reached them all.</summary>
    public long? PropagatedAtMs { get; internal set; }

    /// <summary>True when the writer stopped (crashed or left) before the write had reached every running node: it is not measured.</summary>
    public bool Abandoned { get; internal set; }

    /// <summary>Virtual milliseconds from acceptance to reaching every running node; null while not propagated.</summary>
    public long? PropagationMs => PropagatedAtMs - AtMs;
}
