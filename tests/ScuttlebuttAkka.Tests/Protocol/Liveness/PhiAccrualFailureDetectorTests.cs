using CsCheck;
using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Liveness;

namespace ScuttlebuttAkka.Tests.Protocol.Liveness;

public sealed class PhiAccrualFailureDetectorTests
{
    private static readonly FailureDetectorSettings Default = FailureDetectorSettings.Default;

    // Feeds heartbeats at the given intervals starting at startMs; returns the time of the last one.
    private static long Feed(PhiAccrualFailureDetector detector, IEnumerable<long> intervals, long startMs = 0)
    {
        var t = startMs;
        detector.Heartbeat(t);
        foreach (var interval in intervals)
        {
            t += interval;
            detector.Heartbeat(t);
        }

        return t;
    }

    private static IEnumerable<long> Jittered(int count, long meanMs, long jitterMs, int seed)
    {
        var rng = new Random(seed);
        for (var i = 0; i < count; i++)
            yield return meanMs + rng.NextInt64(-jitterMs, jitterMs + 1);
    }

    [Fact]
    public void Phi_grows_with_silence_and_passes_the_threshold()
    {
        var d = new PhiAccrualFailureDetector(Default);
        var last = Feed(d, Jittered(200, 1000, 100, seed: 1));

        var phis = Enumerable.Range(0, 121).Select(k => d.Phi(last + k * 250L)).ToArray();

        for (var i = 1; i < phis.Length; i++)
            Assert.True(phis[i] >= phis[i - 1], $"phi fell from {phis[i - 1]} to {phis[i]} at step {i}");
        Assert.True(d.IsAvailable(last + 1000), "a heartbeat one mean interval late is not suspicious");
        Assert.True(phis[^1] > Default.Threshold, $"30 s of silence after 1 s heartbeats should pass the threshold, phi = {phis[^1]}");
        Assert.True(d.Phi(last + 30_000) > d.Phi(last + 20_000));
        Assert.False(d.IsAvailable(last + 30_000));
    }

    [Fact]
    public void Regular_heartbeats_keep_phi_below_the_threshold()
    {
        var d = new PhiAccrualFailureDetector(Default);
        var rng = new Random(2);
        long t = 0;
        d.Heartbeat(t);
        var maxPhi = 0.0;
        for (var i = 0; i < 3000; i++)
        {
            // Gossip-like: mostly one interval of about 1 s, sometimes a round without fresh news.
            t += (rng.NextDouble() < 0.2 ? 2000 : 1000) + rng.Next(-200, 201);
            maxPhi = Math.Max(maxPhi, d.Phi(t));
            Assert.True(d.IsAvailable(t), $"heartbeat {i} at {t} arrived with phi {d.Phi(t)}");
            d.Heartbeat(t);
        }

        Assert.True(maxPhi < Default.Threshold);
        Assert.InRange(d.MeanIntervalMs, 1000, 1400);
    }

    [Fact]
    public void Before_the_first_heartbeat_phi_is_zero_and_the_peer_available()
    {
        var d = new PhiAccrualFailureDetector(Default);

        Assert.Null(d.LastHeartbeatMs);
        Assert.Equal(0, d.Phi(0));
        Assert.Equal(0, d.Phi(long.MaxValue));
        Assert.True(d.IsAvailable(long.MaxValue));
    }

    [Theory]
    [InlineData(100)]
    [InlineData(1000)]
    [InlineData(5000)]
    [InlineData(1001)]
    public void The_history_starts_seeded_from_the_first_heartbeat_estimate(int estimateMs)
    {
        var d = new PhiAccrualFailureDetector(Default with { FirstHeartbeatEstimate = TimeSpan.FromMilliseconds(estimateMs) });

        Assert.Equal(2, d.SampleCount);
        Assert.Equal(estimateMs, d.MeanIntervalMs, 9);
        Assert.Equal(estimateMs, d.StdDeviationMs, 9);
    }

    [Fact]
    public void After_one_heartbeat_the_estimate_sets_the_time_to_suspicion()
    {
        FailureDetectorSettings WithEstimate(int ms) => Default with
        {
            FirstHeartbeatEstimate = TimeSpan.FromMilliseconds(ms),
            AcceptableHeartbeatPause = TimeSpan.Zero,
            MinStdDeviation = TimeSpan.FromMilliseconds(1),
        };
        var fast = new PhiAccrualFailureDetector(WithEstimate(500));
        var slow = new PhiAccrualFailureDetector(WithEstimate(2000));
        fast.Heartbeat(10_000);
        slow.Heartbeat(10_000);

        // Mean and deviation both scale with the estimate, so the silence that raises suspicion does too.
        Assert.Equal(4 * fast.SilenceToThresholdMs, slow.SilenceToThresholdMs, 6);
        Assert.True(fast.IsAvailable(10_000 + 500));
        Assert.True(slow.IsAvailable(10_000 + 2000));
        Assert.False(fast.IsAvailable(10_000 + (long)fast.SilenceToThresholdMs + 1));
        Assert.True(slow.IsAvailable(10_000 + (long)fast.SilenceToThresholdMs + 1));
    }

    [Fact]
    public void Right_after_discovery_a_gap_of_five_estimates_is_not_fatal()
    {
        // Gossip delivers news of a peer in bursts: gaps of five gossip intervals occur even without loss, and the
        // first few real intervals say little about the spread, so the bootstrap must carry a wide deviation.
        var d = new PhiAccrualFailureDetector(Default);
        var last = Feed(d, Enumerable.Repeat(1000L, 3));
        var estimate = (long)Default.FirstHeartbeatEstimate.TotalMilliseconds;

        Assert.True(d.IsAvailable(last + 5 * estimate), $"phi = {d.Phi(last + 5 * estimate)}");
        Assert.False(d.IsAvailable(last + 20 * estimate));
    }

    [Fact]
    public void The_window_never_holds_more_than_MaxSampleSize_intervals()
    {
        var d = new PhiAccrualFailureDetector(Default with { MaxSampleSize = 10 });
        d.Heartbeat(0);
        for (var i = 1; i <= 50; i++)
        {
            d.Heartbeat(i * 1000L);
            Assert.Equal(Math.Min(2 + i, 10), d.SampleCount);
        }
    }

    [Fact]
    public void Old_intervals_are_forgotten_when_the_rate_changes()
    {
        var d = new PhiAccrualFailureDetector(Default with { MaxSampleSize = 50 });
        var last = Feed(d, Enumerable.Repeat(100L, 200));
        Assert.Equal(100, d.MeanIntervalMs, 9);
        Assert.Equal(0, d.StdDeviationMs, 9);

        var previousMean = d.MeanIntervalMs;
        for (var i = 1; i <= 200; i++)
        {
            last += 1000;
            d.Heartbeat(last);
            Assert.True(d.MeanIntervalMs >= previousMean);
            previousMean = d.MeanIntervalMs;
        }

        Assert.Equal(1000, d.MeanIntervalMs, 9);
        Assert.Equal(0, d.StdDeviationMs, 9);
    }

    [Fact]
    public void With_the_default_cap_the_mean_moves_as_soon_as_the_rate_changes()
    {
        var d = new PhiAccrualFailureDetector(Default);
        var last = Feed(d, Enumerable.Repeat(100L, 2000));
        var before = d.MeanIntervalMs;

        last += 1000;
        d.Heartbeat(last);

        Assert.True(d.MeanIntervalMs > before, $"mean stayed at {d.MeanIntervalMs}");
        Assert.Equal(1000, d.SampleCount);
    }

    [Fact]
    public void A_slower_rate_is_learned_even_when_each_slow_interval_first_looks_fatal()
    {
        // No pause and a tight floor: after 100 ms heartbeats, a 1 s interval is far past the threshold.
        var d = new PhiAccrualFailureDetector(Default with { AcceptableHeartbeatPause = TimeSpan.Zero, MaxSampleSize = 100 });
        var last = Feed(d, Enumerable.Repeat(100L, 200));
        Assert.False(d.IsAvailable(last + 1000));

        var arrivalsUntilAvailable = 0;
        for (var i = 0; i < 500 && !d.IsAvailable(last + 1000); i++)
        {
            last += 1000;
            d.Heartbeat(last);
            arrivalsUntilAvailable++;
        }

        Assert.True(d.IsAvailable(last + 1000), "the detector never learned the slower rate");
        Assert.True(arrivalsUntilAvailable < 100, $"took {arrivalsUntilAvailable} slow heartbeats to adapt");
        for (var i = 0; i < 100; i++)
            d.Heartbeat(last += 1000);
        Assert.Equal(1000, d.MeanIntervalMs, 9);
    }

    [Fact]
    public void A_long_pause_counts_no_more_than_the_silence_to_threshold()
    {
        var history = Jittered(100, 1000, 100, seed: 3).ToArray();
        var a = new PhiAccrualFailureDetector(Default);
        var b = new PhiAccrualFailureDetector(Default);
        var lastA = Feed(a, history);
        var lastB = Feed(b, history);
        var cap = a.SilenceToThresholdMs;

        a.Heartbeat(lastA + 60_000);
        b.Heartbeat(lastB + 600_000);

        Assert.Equal(a.MeanIntervalMs, b.MeanIntervalMs);
        Assert.Equal(a.StdDeviationMs, b.StdDeviationMs);
        var raw = history.Select(x => (double)x).Append(60_000).Prepend(2000).Prepend(0).ToArray();
        var rawMean = raw.Average();
        var rawStd = Math.Sqrt(raw.Select(x => (x - rawMean) * (x - rawMean)).Average());
        Assert.True(a.StdDeviationMs < rawStd / 2, $"std {a.StdDeviationMs} vs {rawStd} had the pause been recorded whole");
        var recorded = a.MeanIntervalMs * a.SampleCount - (raw.Sum() - 60_000);
        Assert.InRange(recorded, cap - 1, cap + 1);
    }

    [Fact]
    public void Perfectly_regular_heartbeats_fall_back_on_the_minimum_std_deviation()
    {
        FailureDetectorSettings WithFloor(int ms) => Default with
        {
            MaxSampleSize = 20,
            AcceptableHeartbeatPause = TimeSpan.Zero,
            MinStdDeviation = TimeSpan.FromMilliseconds(ms),
        };
        var narrow = new PhiAccrualFailureDetector(WithFloor(100));
        var wide = new PhiAccrualFailureDetector(WithFloor(250));
        var last = Feed(narrow, Enumerable.Repeat(1000L, 100));
        Feed(wide, Enumerable.Repeat(1000L, 100));
        Assert.Equal(0, narrow.StdDeviationMs);

        // With the deviation at the floor, phi depends on (elapsed - mean) / floor only.
        for (var k = -2; k <= 5; k++)
            Assert.Equal(narrow.Phi(last + 1000 + 100 * k), wide.Phi(last + 1000 + 250 * k), 9);
        Assert.True(narrow.IsAvailable(last + 1001), "one millisecond late must not be fatal");
        Assert.True(narrow.Phi(last + 1300) > wide.Phi(last + 1300), "a narrower floor must make the same lateness more suspicious");
        Assert.True(double.IsFinite(narrow.Phi(last + 1_000_000)));
    }

    [Fact]
    public void The_window_statistics_match_a_direct_computation_over_the_last_intervals()
    {
        const int cap = 37;
        var d = new PhiAccrualFailureDetector(Default with { MaxSampleSize = cap });
        var model = new List<double> { 0, 2 * 1000 };
        var rng = new Random(4);
        long t = 0;
        d.Heartbeat(t);
        for (var i = 0; i < 500; i++)
        {
            var interval = rng.Next(800, 1200);
            t += interval;
            d.Heartbeat(t);
            model.Add(interval);
            var window = model.Skip(Math.Max(0, model.Count - cap)).ToArray();
            var mean = window.Average();
            var std = Math.Sqrt(window.Select(x => (x - mean) * (x - mean)).Average());
            Assert.Equal(window.Length, d.SampleCount);
            Assert.Equal(mean, d.MeanIntervalMs, 6);
            Assert.Equal(std, d.StdDeviationMs, 6);
        }
    }

    [Fact]
    public void A_heartbeat_from_the_past_counts_as_a_zero_interval_and_keeps_the_latest_arrival()
    {
        var d = new PhiAccrualFailureDetector(Default);
        d.Heartbeat(10_000);
        d.Heartbeat(11_000);
        var mean = d.MeanIntervalMs;

        d.Heartbeat(5_000);

        Assert.Equal(11_000, d.LastHeartbeatMs);
        Assert.Equal(4, d.SampleCount);
        Assert.True(d.MeanIntervalMs < mean);
        Assert.Equal(d.Phi(11_000), d.Phi(5_000));
    }

    [Fact]
    public void Extreme_times_give_a_finite_phi()
    {
        var d = new PhiAccrualFailureDetector(Default with { MinStdDeviation = TimeSpan.FromMilliseconds(1) });
        d.Heartbeat(long.MinValue);
        d.Heartbeat(long.MinValue + 1);

        var phi = d.Phi(long.MaxValue);

        Assert.True(double.IsFinite(phi) && phi > d.Settings.Threshold, $"phi = {phi}");
        d.Heartbeat(long.MaxValue);
        Assert.True(double.IsFinite(d.MeanIntervalMs) && double.IsFinite(d.StdDeviationMs));
        Assert.True(d.IsAvailable(long.MaxValue));
    }

    private static readonly Gen<(FailureDetectorSettings Settings, long[] Deltas)> GenHistory =
        Gen.Select(
            Gen.Double[1, 30],
            Gen.Int[2, 64],
            Gen.Int[1, 500],
            Gen.Int[0, 5000],
            Gen.Int[1, 10_000],
            Gen.OneOf(Gen.Long[-1000, 5000], Gen.Long[0, 200_000], Gen.Const(0L)).Array[0, 200],
            (threshold, cap, floor, pause, estimate, deltas) => (
                new FailureDetectorSettings
                {
                    Threshold = threshold,
                    MaxSampleSize = cap,
                    MinStdDeviation = TimeSpan.FromMilliseconds(floor),
                    AcceptableHeartbeatPause = TimeSpan.FromMilliseconds(pause),
                    FirstHeartbeatEstimate = TimeSpan.FromMilliseconds(estimate),
                },
                deltas));

    private static long Replay(PhiAccrualFailureDetector d, long[] deltas)
    {
        long t = 1_000_000, last = t;
        d.Heartbeat(t);
        foreach (var delta in deltas)
        {
            t += delta;
            d.Heartbeat(t);
            last = Math.Max(last, t);
        }

        return last;
    }

    [Fact]
    public void Phi_is_monotone_in_the_time_since_the_last_heartbeat_for_random_histories()
    {
        Gen.Select(GenHistory, Gen.Long[0, 10_000_000].Array[2, 40]).Sample(input =>
        {
            var ((settings, deltas), offsets) = input;
            var d = new PhiAccrualFailureDetector(settings);
            var last = Replay(d, deltas);
            Array.Sort(offsets);
            var previous = d.Phi(last);
            foreach (var offset in offsets)
            {
                var phi = d.Phi(last + offset);
                Assert.True(phi >= previous, $"phi fell from {previous} to {phi} at +{offset} ms");
                previous = phi;
            }
        }, seed: "0000001ddzG3", iter: 2000, threads: 1);
    }

    [Fact]
    public void Phi_is_never_NaN_negative_or_infinite_and_matches_the_threshold()
    {
        Gen.Select(GenHistory, Gen.Long[-10_000_000, 10_000_000].Array[1, 20]).Sample(input =>
        {
            var ((settings, deltas), offsets) = input;
            var d = new PhiAccrualFailureDetector(settings);
            var last = Replay(d, deltas);
            Assert.True(d.StdDeviationMs >= 0 && double.IsFinite(d.StdDeviationMs));
            Assert.True(d.MeanIntervalMs >= 0 && double.IsFinite(d.MeanIntervalMs));
            Assert.InRange(d.SampleCount, 2, settings.MaxSampleSize);
            foreach (var offset in offsets)
            {
                var phi = d.Phi(last + offset);
                Assert.True(double.IsFinite(phi) && phi >= 0, $"phi = {phi} at +{offset} ms");
                Assert.Equal(phi <= settings.Threshold, d.IsAvailable(last + offset));
            }

            // The silence at which phi reaches the threshold is where it actually does, to the millisecond.
            var silence = d.SilenceToThresholdMs;
            Assert.True(d.IsAvailable(last + (long)Math.Floor(silence) - 1), $"unavailable before {silence} ms of silence");
            Assert.False(d.IsAvailable(last + (long)Math.Ceiling(silence) + 1), $"still available after {silence} ms of silence");
        }, seed: "0000000001w9", iter: 2000, threads: 1);
    }

    public static TheoryData<FailureDetectorSettings, string> InvalidSettings() => new()
    {
        { Default with { Threshold = 0.5 }, nameof(FailureDetectorSettings.Threshold) },
        { Default with { Threshold = double.NaN }, nameof(FailureDetectorSettings.Threshold) },
        { Default with { Threshold = double.PositiveInfinity }, nameof(FailureDetectorSettings.Threshold) },
        { Default with { MaxSampleSize = 1 }, nameof(FailureDetectorSettings.MaxSampleSize) },
        { Default with { MaxSampleSize = -5 }, nameof(FailureDetectorSettings.MaxSampleSize) },
        { Default with { MinStdDeviation = TimeSpan.Zero }, nameof(FailureDetectorSettings.MinStdDeviation) },
        { Default with { MinStdDeviation = TimeSpan.FromMilliseconds(0.5) }, nameof(FailureDetectorSettings.MinStdDeviation) },
        { Default with { AcceptableHeartbeatPause = TimeSpan.FromMilliseconds(-1) }, nameof(FailureDetectorSettings.AcceptableHeartbeatPause) },
        { Default with { FirstHeartbeatEstimate = TimeSpan.Zero }, nameof(FailureDetectorSettings.FirstHeartbeatEstimate) },
        { Default with { FirstHeartbeatEstimate = TimeSpan.FromDays(30) }, nameof(FailureDetectorSettings.FirstHeartbeatEstimate) },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void Invalid_settings_fail_with_the_parameter_named(FailureDetectorSettings settings, string parameter)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(settings.Validate);
        Assert.Equal(parameter, ex.ParamName);
        Assert.Contains(parameter + " must", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PhiAccrualFailureDetector(settings));
    }

    [Fact]
    public void The_defaults_are_valid()
    {
        Default.Validate();
        Assert.Same(Default, new PhiAccrualFailureDetector(Default).Settings);
        Assert.Throws<ArgumentNullException>(() => new PhiAccrualFailureDetector(null!));
    }
}
