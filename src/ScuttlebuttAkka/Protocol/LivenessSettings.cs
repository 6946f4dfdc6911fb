namespace ScuttlebuttAkka.Protocol;

/// <summary>How a node judges its peers: the failure detector's parameters and how long down or left peers are kept.</summary>
public sealed record LivenessSettings
{
    /// <summary>The defaults of the default preset (lan) in the library's reference.conf.</summary>
    public static readonly LivenessSettings Default = new();

    /// <summary>The phi-accrual failure detector's parameters, used for every peer.</summary>
    public FailureDetectorSettings Detector { get; init; } = FailureDetectorSettings.Default;

    /// <summary>How long a peer stays down (still gossiped, so its last state reaches everyone) before it is removed.</summary>
    public TimeSpan DownExpiry { get; init; } = ReferenceDefaults.DownExpiry;

    /// <summary>How long a peer that left gracefully is kept, so its leave spreads, before it is removed.</summary>
    public TimeSpan LeftExpiry { get; init; } = ReferenceDefaults.LeftExpiry;

    /// <summary>Throws <see cref="ArgumentException"/> (<see cref="ArgumentOutOfRangeException"/> for a bad value) when a setting is invalid.</summary>
    public void Validate()
    {
        if (Detector is null)
            throw new ArgumentNullException(nameof(Detector), "Detector must be set.");
        Detector.Validate();
        if (DownExpiry < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(DownExpiry), DownExpiry, "DownExpiry must not be negative.");
        if (LeftExpiry < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(LeftExpiry), LeftExpiry, "LeftExpiry must not be negative.");
    }
}
