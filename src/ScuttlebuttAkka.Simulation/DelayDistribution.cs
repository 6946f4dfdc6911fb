namespace ScuttlebuttAkka.Simulation;

/// <summary>
/// How long a datagram spends on a link, drawn anew for every datagram (and every duplicate) from a seeded
/// <see cref="Random"/>. Built with <see cref="Constant"/>, <see cref="Uniform"/> or <see cref="Exponential"/>.
/// </summary>
public abstract record DelayDistribution
{
    private protected DelayDistribution()
    {
    }

    /// <summary>No delay at all.</summary>
    public static DelayDistribution None { get; } = new ConstantDelay(TimeSpan.Zero);

    /// <summary>The longest delay this distribution can draw.</summary>
    public abstract TimeSpan Max { get; }

    /// <summary>Every datagram waits exactly <paramref name="delay"/>.</summary>
    public static DelayDistribution Constant(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return new ConstantDelay(delay);
    }

    /// <summary>Delays drawn uniformly between <paramref name="min"/> and <paramref name="max"/> (both included).</summary>
    public static DelayDistribution Uniform(TimeSpan min, TimeSpan max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(min, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        return new UniformDelay(min, max);
    }

    /// <summary>
    /// Exponentially distributed delays with mean <paramref name="mean"/>, capped at <paramref name="max"/>: mostly
    /// short, with a long tail, as on a congested path.
    /// </summary>
    public static DelayDistribution Exponential(TimeSpan mean, TimeSpan max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(mean, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, TimeSpan.Zero);
        return new ExponentialDelay(mean, max);
    }

    /// <summary>Draws one delay in whole milliseconds.</summary>
    public abstract long SampleMs(Random random);

    private sealed record ConstantDelay(TimeSpan Delay) : DelayDistribution
    {
        public override TimeSpan Max => Delay;

        public override long SampleMs(Random random) => (long)Delay.TotalMilliseconds;
    }

    private sealed record UniformDelay(TimeSpan Min, TimeSpan MaxDelay) : DelayDistribution
    {
        public override TimeSpan Max => MaxDelay;

        public override long SampleMs(Random random)
        {
            ArgumentNullException.ThrowIfNull(random);
            var min = (long)Min.TotalMilliseconds;
            return min + random.NextInt64((long)MaxDelay.TotalMilliseconds - min + 1);
        }
    }

    private sealed record ExponentialDelay(TimeSpan Mean, TimeSpan MaxDelay) : DelayDistribution
    {
        public override TimeSpan Max => MaxDelay;

        public override long SampleMs(Random random)
        {
            ArgumentNullException.ThrowIfNull(random);
            // Inverse CDF; 1 - U is in (0, 1], so the logarithm is finite.
            var drawn = -Mean.TotalMilliseconds * Math.Log(1.0 - random.NextDouble());
            return (long)Math.Min(drawn, MaxDelay.TotalMilliseconds);
        }
    }
}
