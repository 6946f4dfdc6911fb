namespace ScuttlebuttAkka.Protocol;

/// <summary>A key's value as one node wrote it: the value, the owner's version counter at the write, and whether it is a tombstone.</summary>
/// <param name="Value">The value; empty for a tombstone.</param>
/// <param name="Version">The owner's version counter when this value was written.</param>
/// <param name="IsDeleted">True when this is a tombstone left by a delete.</param>
public readonly record struct VersionedValue(string Value, long Version, bool IsDeleted);
