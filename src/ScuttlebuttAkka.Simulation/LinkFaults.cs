namespace ScuttlebuttAkka.Simulation;

/// <summary>
/// What a simulated link does to the datagrams it carries. Each datagram is first lost with probability
/// <see cref="Loss"/>; a survivor waits a delay drawn from <see cref="Delay"/>, is held back a further random time
/// of up to <see cref="ReorderWindow"/> with probability <see cref="Reordering"/> (so later datagrams overtake it),
/// and arrives a second time, with its own delay, with probability <see cref="Duplication"/>.
/// </summary>
public sealed record LinkFaults
{
    /// <summary>A perfect link: nothing lost, duplicated, reordered or delayed.</summary>
    public static LinkFaults None { get; } = new();

    /// <summary>Probability that a datagram is lost.</summary>
    public double Loss { get; init; }

    /// <summary>Probability that a delivered datagram is delivered twice.</summary>
    public double Duplication { get; init; }

    /// <summary>Probability that a datagram is held back so that datagrams sent after it arrive first.</summary>
    public double Reordering { get; init; }

    /// <summary>The longest extra hold-back of a reordered datagram (drawn uniformly from zero to this).</summary>
    public TimeSpan ReorderWindow { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The delay of every datagram on the link.</summary>
    public DelayDistribution Delay { get; init; } = DelayDistribution.None;

    /// <summary>Throws <see cref="ArgumentException"/> when a setting is out of range.</summary>
    public LinkFaults Validate()
    {
        CheckProbability(Loss, nameof(Loss));
        CheckProbability(Duplication, nameof(Duplication));
        CheckProbability(Reordering, nameof(Reordering));
        if (ReorderWindow < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(ReorderWindow), ReorderWindow, "ReorderWindow must not be negative.");
        ArgumentNullException.ThrowIfNull(Delay, nameof(Delay));
        return this;
    }

    private static void CheckProbability(double value, string name)
    {
        if (!(value is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a probability between 0 and 1.");
    }
}
