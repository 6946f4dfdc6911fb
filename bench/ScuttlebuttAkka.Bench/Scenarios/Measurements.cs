namespace ScuttlebuttAkka.Bench.Scenarios;

/// <summary>Which measurements a suite takes after forming the cluster.</summary>
[Flags]
internal enum Measurements
{
    /// <summary>Formation only.</summary>
    None = 0,

    /// <summary>CPU and bytes per node per second while idle.</summary>
    IdleCost = 1,

    /// <summary>Update propagation trials.</summary>
    Propagation = 2,

    /// <summary>New-node discovery trials.</summary>
    Discovery = 4,

    /// <summary>Graceful leave of each discovery trial's node.</summary>
    Leave = 8,

    /// <summary>An idle watch for false positives before the crash.</summary>
    IdleWatch = 16,

    /// <summary>Crash detection.</summary>
    Detection = 32,

    /// <summary>Everything the default command measures.</summary>
    All = IdleCost | Propagation | Discovery | Leave | Detection,
}
