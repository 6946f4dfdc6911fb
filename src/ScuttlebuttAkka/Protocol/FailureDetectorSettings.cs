namespace ScuttlebuttAkka.Protocol;

/// <summary>
/// Parameters of the phi-accrual failure detector (see <c>docs/failure-detector.md</c> for the formula and the
/// detection times they give).
/// </summary>
public sealed record FailureDetectorSettings
{
    /// <summary>The defaults of the default preset (lan, 500 ms rounds) in the library's reference.conf.</summary>
    public static readonly FailureDetectorSettings Default = new();

    /// <summary>
    /// Phi above which a peer is suspected: phi = 8 means a heartbeat this late comes about once in 10^8 times under
    /// the observed distribution. Lower detects sooner and errs more often.
    /// </summary>
    public double Threshold { get; init; } = ReferenceDefaults.Threshold;

    /// <summary>How many of the most recent inter-arrival intervals are kept; older ones are forgotten, so the estimate follows a change in rate.</summary>
    public int MaxSampleSize { get; init; } = ReferenceDefaults.MaxSampleSize;

    /// <summary>Floor on the standard deviation used for phi, so a run of perfectly regular heartbeats cannot make one late arrival look fatal.</summary>
    public TimeSpan MinStdDeviation { get; init; } = ReferenceDefaults.MinStdDeviation;

    /// <summary>
    /// Silence tolerated on top of the mean interval, added to the mean: a fixed margin for the long gaps of gossip
    /// delivery that a normal distribution underrates. About two gossip intervals.
    /// </summary>
    public TimeSpan AcceptableHeartbeatPause { get; init; } = ReferenceDefaults.AcceptableHeartbeatPause;

    /// <summary>
    /// The interval assumed before real ones are known: the history starts with mean and standard deviation equal to
    /// it, so set it near the gossip interval.
    /// </summary>
    public TimeSpan FirstHeartbeatEstimate { get; init; } = ReferenceDefaults.FirstHeartbeatEstimate;

    /// <summary>
    /// The phi at which this node starts to suspect a peer and says so in its gossip. A suspect peer is not reported
    /// down on suspicion alone: only when <see cref="Threshold"/> is reached, or when at least
    /// <see cref="Corroborations"/> other live nodes suspect it too (each from its own silence). Several nodes
    /// missing the same peer at once is far stronger evidence than one node missing it, so the cluster can agree
    /// sooner without a lower threshold for any one of them. At most <see cref="Threshold"/>.
    /// </summary>
    public double SuspicionThreshold { get; init; } = ReferenceDefaults.SuspicionThreshold;

    /// <summary>
    /// How many other live nodes must suspect a peer (besides this one, at <see cref="SuspicionThreshold"/>) for this
    /// node to report it down before its own phi reaches <see cref="Threshold"/>. 0 turns corroborated verdicts off,
    /// and then suspicions are not gossiped either.
    /// </summary>
    public int Corroborations { get; init; } = ReferenceDefaults.Corroborations;

    /// <summary>The largest <see cref="Corroborations"/> accepted.</summary>
    public const int MaxCorroborations = 64;

    // The bootstrap records twice the estimate as one interval, and intervals are kept as int milliseconds.
    private const int MaxFirstHeartbeatEstimateMs = int.MaxValue / 2;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a parameter is out of range.</summary>
    public void Validate()
    {
        if (!double.IsFinite(Threshold) || Threshold < 1)
            throw new ArgumentOutOfRangeException(nameof(Threshold), Threshold, "Threshold must be a finite number of at least 1 (8 is usual; lower detects sooner and errs more often).");
        if (!double.IsFinite(SuspicionThreshold) || SuspicionThreshold <= 0 || SuspicionThreshold > Threshold)
            throw new ArgumentOutOfRangeException(nameof(SuspicionThreshold), SuspicionThreshold, $"SuspicionThreshold must be above 0 and at most Threshold ({Threshold}).");
        if (Corroborations is < 0 or > MaxCorroborations)
            throw new ArgumentOutOfRangeException(nameof(Corroborations), Corroborations, $"Corroborations must be between 0 (off) and {MaxCorroborations}.");
        if (MaxSampleSize < 2)
            throw new ArgumentOutOfRangeException(nameof(MaxSampleSize), MaxSampleSize, "MaxSampleSize must be at least 2 (the bootstrap seeds the history with two intervals).");
        if (MinStdDeviation < TimeSpan.FromMilliseconds(1))
            throw new ArgumentOutOfRangeException(nameof(MinStdDeviation), MinStdDeviation, "MinStdDeviation must be at least 1 ms.");
        if (AcceptableHeartbeatPause < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(AcceptableHeartbeatPause), AcceptableHeartbeatPause, "AcceptableHeartbeatPause must not be negative.");
        if (FirstHeartbeatEstimate < TimeSpan.FromMilliseconds(1))
            throw new ArgumentOutOfRangeException(nameof(FirstHeartbeatEstimate), FirstHeartbeatEstimate, "FirstHeartbeatEstimate must be at least 1 ms.");
        if (FirstHeartbeatEstimate > TimeSpan.FromMilliseconds(MaxFirstHeartbeatEstimateMs))
            throw new ArgumentOutOfRangeException(nameof(FirstHeartbeatEstimate), FirstHeartbeatEstimate, $"FirstHeartbeatEstimate must be at most {MaxFirstHeartbeatEstimateMs} ms (about 12.4 days).");
    }
}
