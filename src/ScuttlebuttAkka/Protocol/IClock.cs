namespace ScuttlebuttAkka.Protocol;

/// <summary>A source of monotonic time in milliseconds, injected so the protocol core is deterministic in tests.</summary>
internal interface IClock
{
    /// <summary>Milliseconds on a monotonic time line (only differences between readings are meaningful).</summary>
    long NowMs { get; }
}

/// <summary>The real clock: <see cref="Environment.TickCount64"/>, which never jumps with wall-clock changes.</summary>
internal sealed class SystemClock : IClock
{
    /// <summary>The shared instance.</summary>
    public static readonly SystemClock Instance = new();

    private SystemClock()
    {
    }

    /// <inheritdoc />
    public long NowMs => Environment.TickCount64;
}

/// <summary>A clock a test moves by hand.</summary>
internal sealed class ManualClock : IClock
{
    /// <summary>Creates a clock reading <paramref name="startMs"/>.</summary>
    public ManualClock(long startMs = 0) => _now = startMs;

    private long _now;

    /// <inheritdoc />
    public long NowMs => Interlocked.Read(ref _now);

    /// <summary>Moves the clock forward by <paramref name="ms"/> milliseconds (safe to call while other threads read it).</summary>
    public void Advance(long ms)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ms);
        Interlocked.Add(ref _now, ms);
    }
}
