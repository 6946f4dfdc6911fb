namespace ScuttlebuttAkka.Protocol.Liveness;

/// <summary>
/// The phi-accrual failure detector of Hayashibara et al., fed with heartbeat arrival times: phi is how surprising the
/// current silence is under a normal distribution fitted to the recent inter-arrival intervals. Pure and
/// deterministic: every time is passed in, in milliseconds. See <c>docs/failure-detector.md</c>.
/// </summary>
internal sealed class PhiAccrualFailureDetector
{
    // Logistic approximation of the standard normal CDF: Phi(y) ~ 1 / (1 + exp(-y (A + B y^2))), within 1.4e-4 everywhere.
    private const double A = 1.5976;
    private const double B = 0.070566;

    // Above this, log(1 + exp(z)) equals z to double precision; computing exp(z) there would only risk overflow.
    private const double SoftplusLinearFrom = 40;

    private readonly double _minStdMs;
    private readonly double _pauseMs;

    // How many standard deviations past the (pause-shifted) mean phi reaches the threshold; depends on the threshold only.
    private readonly double _thresholdSigmas;

    // The same for the suspicion threshold.
    private readonly double _suspicionSigmas;

    private int[] _samples;
    private int _count;
    private int _oldest;
    private long _sum;
    private Int128 _sumOfSquares;
    private long? _lastArrivalMs;

    // Before this instant phi is surely below the threshold (see IsAvailable); long.MinValue when not yet worked out
    // for the current history. Checks far outnumber heartbeats, and this spares them the exp and log.
    private long _surelyAvailableBeforeMs = long.MinValue;

    // The silence at which phi reaches the suspicion threshold, for the current history; NaN when not yet worked out.
    // Asked of every peer every round, it changes only with a heartbeat.
    private double _suspicionSilenceMs = double.NaN;

    /// <summary>Creates a detector with no arrival yet and a history seeded from <see cref="FailureDetectorSettings.FirstHeartbeatEstimate"/>.</summary>
    public PhiAccrualFailureDetector(FailureDetectorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        Settings = settings;
        _minStdMs = settings.MinStdDeviation.TotalMilliseconds;
        _pauseMs = settings.AcceptableHeartbeatPause.TotalMilliseconds;
        _thresholdSigmas = SigmasForPhi(settings.Threshold);
        _suspicionSigmas = SigmasForPhi(settings.SuspicionThreshold);
        _samples = new int[Math.Min(16, settings.MaxSampleSize)];

        // Bootstrap: the intervals 0 and 2 * estimate, i.e. mean = estimate and standard deviation = estimate.
        // Heartbeats that travel by gossip arrive with a deviation of about one gossip interval, and the first few
        // real samples underestimate it; this wide prior keeps the first rounds after discovery free of false alarms
        // (docs/failure-detector.md has the measurements). They are ordinary samples, pushed out of the window by
        // real ones like any other.
        var estimate = (long)Math.Round(settings.FirstHeartbeatEstimate.TotalMilliseconds);
        Record(0);
        Record(2 * estimate);
    }

    /// <summary>The settings this detector uses.</summary>
    public FailureDetectorSettings Settings { get; }

    /// <summary>How many intervals the window holds (at most <see cref="FailureDetectorSettings.MaxSampleSize"/>), the two bootstrap intervals included until real ones push them out.</summary>
    public int SampleCount => _count;

    /// <summary>The mean of the intervals in the window, in milliseconds.</summary>
    public double MeanIntervalMs => (double)_sum / _count;

    /// <summary>The standard deviation of the intervals in the window, in milliseconds, before the <see cref="FailureDetectorSettings.MinStdDeviation"/> floor.</summary>
    public double StdDeviationMs
    {
        get
        {
            // n * sum(x^2) - (sum x)^2 is exact in Int128 and never negative, so no rounding drift builds up over
            // millions of heartbeats and the square root never sees a negative number.
            var n = (Int128)_count;
            var scaled = n * _sumOfSquares - (Int128)_sum * _sum;
            return Math.Sqrt((double)scaled) / _count;
        }
    }

    /// <summary>When the last heartbeat arrived, or null before the first.</summary>
    public long? LastHeartbeatMs => _lastArrivalMs;

    /// <summary>
    /// The silence after the last heartbeat, in milliseconds, at which phi reaches the threshold under the current
    /// history: mean + acceptable pause + k * max(std deviation, min std deviation), k depending on the threshold only.
    /// </summary>
    public double SilenceToThresholdMs => _pauseMs + MeanIntervalMs + _thresholdSigmas * EffectiveStdDeviationMs;

    /// <summary>Records a heartbeat arriving at <paramref name="nowMs"/>.</summary>
    /// <remarks>
    /// An interval longer than <see cref="SilenceToThresholdMs"/> is recorded as that value: long enough that a
    /// genuinely slower heartbeat rate is still learned (each capped interval raises the cap), bounded so that one
    /// partition or pause does not inflate the deviation, and so the detection time, for the next
    /// <see cref="FailureDetectorSettings.MaxSampleSize"/> heartbeats.
    /// An arrival earlier than the last one (a clock that stepped back) counts as an interval of zero.
    /// </remarks>
    public void Heartbeat(long nowMs)
    {
        _surelyAvailableBeforeMs = long.MinValue;
        _suspicionSilenceMs = double.NaN;
        if (_lastArrivalMs is { } last)
        {
            var interval = Math.Min(ElapsedMs(last, nowMs), SilenceToThresholdMs);
            Record((long)Math.Round(interval));
            _lastArrivalMs = Math.Max(last, nowMs);
        }
        else
        {
            _lastArrivalMs = nowMs;
        }
    }

    /// <summary>
    /// Whether phi at <paramref name="nowMs"/> is at least <see cref="FailureDetectorSettings.SuspicionThreshold"/>;
    /// the same answer as comparing <see cref="Phi"/>, from the silence alone (no exp or log, as it is asked of every
    /// peer every round).
    /// </summary>
    public bool IsSuspicious(long nowMs)
    {
        if (_lastArrivalMs is not { } last)
            return false;
        if (double.IsNaN(_suspicionSilenceMs))
            _suspicionSilenceMs = _pauseMs + MeanIntervalMs + (_suspicionSigmas * EffectiveStdDeviationMs);
        return ElapsedMs(last, nowMs) >= _suspicionSilenceMs;
    }

    /// <summary>
    /// Suspicion that the peer is down at <paramref name="nowMs"/>: -log10 of the probability that a heartbeat comes
    /// this late or later. Zero before the first heartbeat; otherwise finite, non-negative, never NaN, and
    /// non-decreasing while no heartbeat arrives.
    /// </summary>
    public double Phi(long nowMs)
    {
        if (_lastArrivalMs is not { } last)
            return 0;
        var y = (ElapsedMs(last, nowMs) - MeanIntervalMs - _pauseMs) / EffectiveStdDeviationMs;
        return Softplus(LogisticExponent(y)) / Math.Log(10);
    }

    /// <summary>True while <see cref="Phi"/> at <paramref name="nowMs"/> is at most the threshold.</summary>
    public bool IsAvailable(long nowMs)
    {
        if (nowMs < _surelyAvailableBeforeMs)
            return true;
        if (_lastArrivalMs is { } last && _surelyAvailableBeforeMs == long.MinValue)
        {
            // Phi rises with the silence and reaches the threshold at SilenceToThresholdMs; a millisecond (and a
            // billionth) short of that it is below the threshold by far more than rounding, so the answer is the same.
            // Worked out once per heartbeat, so most checks are one comparison.
            var silence = SilenceToThresholdMs;
            var safe = Math.Floor(silence - (silence * 1e-9)) - 1;
            _surelyAvailableBeforeMs = safe is > 0 and < 1e15 && last < long.MaxValue / 2 ? last + (long)safe : long.MinValue + 1;
            if (nowMs < _surelyAvailableBeforeMs)
                return true;
        }

        return Phi(nowMs) <= Settings.Threshold;
    }

    private double EffectiveStdDeviationMs => Math.Max(StdDeviationMs, _minStdMs);

    private static double ElapsedMs(long lastMs, long nowMs) => nowMs <= lastMs ? 0 : (double)unchecked((ulong)(nowMs - lastMs));

    private void Record(long intervalMs)
    {
        // int is enough (24.8 days) and halves the memory of a window kept for every peer.
        var x = (int)Math.Clamp(intervalMs, 0, int.MaxValue);
        if (_count < Settings.MaxSampleSize)
        {
            if (_count == _samples.Length)
                Array.Resize(ref _samples, (int)Math.Min((long)_samples.Length * 2, Settings.MaxSampleSize));
            _samples[_count++] = x;
        }
        else
        {
            // Full: the slot of the oldest interval takes the newest, so the window slides in O(1).
            var old = _samples[_oldest];
            _sum -= old;
            _sumOfSquares -= (long)old * old;
            _samples[_oldest] = x;
            _oldest = _oldest + 1 == _count ? 0 : _oldest + 1;
        }

        _sum += x;
        _sumOfSquares += (long)x * x;
    }

    // The exponent of the logistic approximation; strictly increasing in y, so phi is monotone in elapsed time.
    private static double LogisticExponent(double y) => y * (A + B * y * y);

    // -log10(1 - F) with F = 1 / (1 + e^-z) is log10(1 + e^z); this form never takes the log of zero, so phi is finite.
    private static double Softplus(double z) => z >= SoftplusLinearFrom ? z : Math.Log(1 + Math.Exp(z));

    // Solves Softplus(LogisticExponent(y)) / ln 10 = phi for y: z = ln(10^phi - 1), then the cubic B y^3 + A y - z = 0,
    // which has one real root because A and B are positive (Cardano), polished by Newton steps.
    private static double SigmasForPhi(double phi)
    {
        var z = phi > 300 ? phi * Math.Log(10) : Math.Log(Math.Pow(10, phi) - 1);
        var p = A / B;
        var q = -z / B;
        var root = Math.Sqrt(q * q / 4 + p * p * p / 27);
        var y = Math.Cbrt(-q / 2 + root) + Math.Cbrt(-q / 2 - root);
        for (var i = 0; i < 3; i++)
            y -= (LogisticExponent(y) - z) / (A + 3 * B * y * y);
        return y;
    }
}
