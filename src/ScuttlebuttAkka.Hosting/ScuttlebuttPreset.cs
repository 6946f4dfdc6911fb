namespace ScuttlebuttAkka.Hosting;

/// <summary>The timing presets of reference.conf (<c>scuttlebutt.preset</c>); see docs/configuration.md.</summary>
public enum ScuttlebuttPreset
{
    /// <summary>One machine (tests, demos): 100 ms rounds and fast failure detection.</summary>
    Local,

    /// <summary>A data centre network, the default: 500 ms rounds.</summary>
    Lan,

    /// <summary>Links across regions: 2 s rounds and a tolerant failure detector.</summary>
    Wan,
}
