namespace ScuttlebuttAkka.Tests;

/// <summary>
/// Tests that read <see cref="GC.GetTotalMemory(bool)"/> run in this collection, alone, after the parallel ones, so that
/// other tests' allocations do not show up in their figures.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurements
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Memory measurements";
}
