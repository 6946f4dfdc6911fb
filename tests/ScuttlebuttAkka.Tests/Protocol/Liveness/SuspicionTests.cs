using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Liveness;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;
using ScuttlebuttAkka.Tests.Protocol.Reconciliation;

namespace ScuttlebuttAkka.Tests.Protocol.Liveness;

/// <summary>
/// Suspicions said aloud and corroborated verdicts: the detector's suspicion level, the liveness rule that needs
/// enough other live nodes to suspect a peer, and the reserved pairs that carry suspicions between nodes.
/// </summary>
public sealed class SuspicionTests
{
    private static readonly FailureDetectorSettings Detector = new()
    {
        Threshold = 8,
        SuspicionThreshold = 1,
        Corroborations = 2,
        MinStdDeviation = TimeSpan.FromMilliseconds(50),
        AcceptableHeartbeatPause = TimeSpan.FromMilliseconds(600),
        FirstHeartbeatEstimate = TimeSpan.FromMilliseconds(200),
    };

    private static readonly LivenessSettings Liveness = LivenessSettings.Default with { Detector = Detector };

    // A peer heard every 100 ms from 0 to 10 s.
    private static PeerLiveness Steady(LivenessSettings settings, out long last)
    {
        var p = new PeerLiveness("peer-1", 3, settings, 0);
        for (last = 100; last <= 10_000; last += 100)
            p.OnHeartbeat(last);
        last -= 100;
        return p;
    }

    [Fact]
    public void IsSuspicious_agrees_with_phi_at_the_suspicion_threshold()
    {
        var rng = new Random(11);
        for (var trial = 0; trial < 50; trial++)
        {
            var d = new PhiAccrualFailureDetector(Detector with { SuspicionThreshold = 0.2 + (rng.NextDouble() * 7.8) });
            long t = 0;
            for (var i = 0; i < 30; i++)
                d.Heartbeat(t += 50 + rng.Next(200));
            for (var silence = 0; silence < 3000; silence += 7)
            {
                var phi = d.Phi(t + silence);
                // Away from the boundary (where rounding may differ), the two must agree.
                if (Math.Abs(phi - d.Settings.SuspicionThreshold) > 1e-6)
                    Assert.Equal(phi >= d.Settings.SuspicionThreshold, d.IsSuspicious(t + silence));
            }
        }
    }

    [Fact]
    public void A_detector_without_heartbeats_suspects_nothing()
    {
        // Every detector records its bootstrap, but suspicion is about the silence since the last arrival.
        var d = new PhiAccrualFailureDetector(Detector);
        Assert.False(d.IsSuspicious(0));
        Assert.False(d.IsSuspicious(long.MaxValue));
    }

    [Fact]
    public void A_suspect_peer_goes_down_only_with_enough_corroborations()
    {
        var p = Steady(Liveness, out var last);
        var t = last + 1;
        while (!p.IsSuspect(t))
            t++;
        Assert.True(p.Phi(t) < Detector.Threshold, "the suspicion level is below the threshold");

        Assert.Equal(LivenessTransition.None, p.Check(t, corroborations: 0));
        Assert.Equal(LivenessTransition.None, p.Check(t, corroborations: 1));
        Assert.Equal(PeerStatus.Alive, p.Status);
        Assert.Equal(LivenessTransition.Down, p.Check(t, corroborations: 2));
        Assert.Equal(PeerStatus.Down, p.Status);
        Assert.True(p.IsSuspect(t), "a down peer stays suspected");
        Assert.Equal(LivenessTransition.Up, p.OnHeartbeat(t + 10));
        Assert.False(p.IsSuspect(t + 10));
    }

    [Fact]
    public void Corroborations_do_not_bring_down_a_peer_this_node_does_not_suspect()
    {
        var p = Steady(Liveness, out var last);
        for (var t = last; !p.IsSuspect(t); t++)
            Assert.Equal(LivenessTransition.None, p.Check(t, corroborations: 100));
        Assert.Equal(PeerStatus.Alive, p.Status);
    }

    [Fact]
    public void With_corroborations_off_only_the_threshold_brings_a_peer_down()
    {
        var off = Liveness with { Detector = Detector with { Corroborations = 0 } };
        var p = Steady(off, out var last);
        var t = last;
        while (p.Check(t, corroborations: 100) == LivenessTransition.None)
            t++;
        Assert.Equal(PeerStatus.Down, p.Status);
        Assert.True(p.Phi(t) > Detector.Threshold);
    }

    [Fact]
    public void Corroborated_verdicts_come_before_the_threshold()
    {
        var alone = Steady(Liveness, out var last);
        var helped = Steady(Liveness, out _);
        long aloneAt = 0, helpedAt = 0;
        for (var t = last; aloneAt == 0; t++)
        {
            if (helpedAt == 0 && helped.Check(t, corroborations: 2) == LivenessTransition.Down)
                helpedAt = t;
            if (alone.Check(t) == LivenessTransition.Down)
                aloneAt = t;
        }

        Assert.InRange(helpedAt, last + 1, aloneAt - 1);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(8.5)]
    [InlineData(double.NaN)]
    public void A_suspicion_threshold_outside_0_to_threshold_is_refused(double level)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => (Detector with { SuspicionThreshold = level }).Validate());
        Assert.Contains("SuspicionThreshold", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(FailureDetectorSettings.MaxCorroborations + 1)]
    public void A_corroboration_count_out_of_range_is_refused(int count)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => (Detector with { Corroborations = count }).Validate());
        Assert.Contains("Corroborations", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Suspicions_travel_as_reserved_pairs_and_are_counted_per_generation()
    {
        var random = new Random(3);
        var a = ExchangeHarness.NewNode("a", 1);
        var b = ExchangeHarness.NewNode("b", 2);
        var c = ExchangeHarness.NewNode("c", 3);
        var x = ExchangeHarness.NewNode("x", 4, generation: 9);
        foreach (var s in new[] { a, b, c })
            ExchangeHarness.Pull(s, x, random);

        Assert.True(a.SetSuspicion("x", 9, suspect: true, nowMs: 10) > 0);
        Assert.Equal(0, a.SetSuspicion("x", 9, suspect: true, nowMs: 11)); // already said
        Assert.True(b.SetSuspicion("x", 8, suspect: true, nowMs: 10) > 0); // an older incarnation
        var report = ExchangeHarness.Pull(c, a, random);
        ExchangeHarness.Pull(c, b, random);

        Assert.True(report.SuspicionsChanged);
        Assert.DoesNotContain(report.Changes, ch => ch is KeyUpdated); // reserved: no event for applications
        Assert.Equal(1, c.CountSuspicions("x", 9, _ => true));
        Assert.Equal(1, c.CountSuspicions("x", 8, _ => true));
        Assert.Equal(0, c.CountSuspicions("x", 9, id => id != "a")); // a is not live in c's eyes
        Assert.Equal(0, a.CountSuspicions("x", 9, _ => true)); // a's own suspicion is not a corroboration

        Assert.True(a.SetSuspicion("x", 9, suspect: false, nowMs: 20) > 0);
        Assert.Equal(0, a.SetSuspicion("x", 9, suspect: false, nowMs: 21)); // nothing left to clear
        var cleared = ExchangeHarness.Pull(c, a, random, nowMs: 20);
        Assert.True(cleared.SuspicionsChanged);
        Assert.Equal(0, c.CountSuspicions("x", 9, _ => true));
        Assert.All(c.Nodes["a"].Pairs.Where(p => !p.Value.IsDeleted), p => Assert.False(ReservedKeys.IsSuspicion(p.Key)));
    }

    [Fact]
    public void The_book_says_what_the_detectors_suspect_and_clears_what_ends_or_is_forgotten()
    {
        var state = ExchangeHarness.NewNode("a", 1);
        ExchangeHarness.Pull(state, ExchangeHarness.NewNode("peer-1", 2), new Random(1));
        var book = new SuspicionBook();
        var steady = Steady(Liveness, out var last);
        state.Nodes["peer-1"].Liveness = steady; // the runtime keeps each peer's detector on its copy
        var t = last;
        while (!steady.IsSuspect(t))
            t++;

        Assert.False(book.Sync(state, last, aloud: true)); // nothing suspected yet: no pair touched
        Assert.True(book.Sync(state, t, aloud: true));
        Assert.Equal(1, book.Count);
        Assert.False(book.Sync(state, t + 1, aloud: true)); // already said
        Assert.True(book.Sync(state, t + 1, aloud: false)); // partial digests: cleared
        Assert.Equal(0, book.Count);
        Assert.True(book.Sync(state, t + 2, aloud: true));
        Assert.True(state.Remove("peer-1", t + 10_000));
        Assert.True(book.Sync(state, t + 3, aloud: true)); // forgotten
        Assert.Equal(0, book.Count);
        Assert.DoesNotContain(state.Self.Pairs, p => ReservedKeys.IsSuspicion(p.Key) && !p.Value.IsDeleted);
    }

    [Fact]
    public void A_suspicion_that_peers_would_refuse_is_not_said()
    {
        var tinyKeys = ExchangeHarness.NewNode("a", 1, limits: ProtocolLimits.Default with { MaxKeyBytes = 8 });
        Assert.Equal(0, tinyKeys.SetSuspicion("x", 9, suspect: true, nowMs: 0));

        var tinyValues = ExchangeHarness.NewNode("a", 1, limits: ProtocolLimits.Default with { MaxValueBytes = 4 });
        Assert.Equal(0, tinyValues.SetSuspicion("a-long-peer-id", 9, suspect: true, nowMs: 0));

        var full = ExchangeHarness.NewNode("a", 1, limits: ProtocolLimits.Default with { MaxKeysPerNode = 1 });
        full.Set("only", "1", 0);
        Assert.Equal(0, full.SetSuspicion("x", 9, suspect: true, nowMs: 0));
        Assert.Equal(1, full.Self.Count);
    }

    [Fact]
    public void Suspicion_keys_are_short_reserved_and_distinct_per_peer()
    {
        var keys = Enumerable.Range(0, 1000).Select(i => ReservedKeys.Suspicion("node-" + i)).ToArray();
        Assert.All(keys, k => Assert.True(ReservedKeys.IsReserved(k) && ReservedKeys.IsSuspicion(k)));
        Assert.All(keys, k => Assert.True(k.Length <= 19));
        Assert.Equal(keys.Length, keys.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(ReservedKeys.Suspicion("node-1"), ReservedKeys.Suspicion("node-1"));
        Assert.False(ReservedKeys.IsSuspicion(ReservedKeys.Left));
    }

    [Fact]
    public void DigestsComplete_tells_whether_the_last_digest_named_every_node()
    {
        var random = new Random(9);
        var a = ExchangeHarness.NewNode("a", 1);
        Assert.True(a.DigestsComplete);
        for (var i = 0; i < 200; i++)
            ExchangeHarness.Pull(a, ExchangeHarness.NewNode("peer-" + i, 100 + i), random);

        Assert.True(a.BuildDigest(60_000, random).IsComplete);
        Assert.True(a.DigestsComplete);
        Assert.False(a.BuildDigest(1400, random).IsComplete);
        Assert.False(a.DigestsComplete);
    }

    [Fact]
    public void An_introduction_delta_carries_a_known_node_from_its_first_pair()
    {
        var random = new Random(5);
        var seed = ExchangeHarness.NewNode("seed", 1);
        var joiner = ExchangeHarness.NewNode("joiner", 2);
        joiner.Set("role", "web", 0);
        joiner.Set("zone", "eu", 0);
        ExchangeHarness.Pull(seed, joiner, random);

        var delta = seed.BuildIntroductionDelta("joiner", 1400, random);
        var node = Assert.Single(delta.Nodes);
        Assert.Equal("joiner", node.NodeId);
        Assert.Equal(new[] { "role", "zone" }, node.Pairs.Select(p => p.Key).Order(StringComparer.Ordinal));

        var other = ExchangeHarness.NewNode("other", 3);
        var report = new ApplyReport();
        other.Receive(new PushMessage(3, delta), 1400, 1400, 0, random, report);
        Assert.Contains(report.Changes, ch => ch is NodeDiscovered { NodeId: "joiner" });

        Assert.True(seed.BuildIntroductionDelta("nobody", 1400, random).IsEmpty);
        Assert.True(seed.BuildIntroductionDelta("seed", 1400, random).IsEmpty);
        seed.SetDown("joiner", true);
        Assert.True(seed.BuildIntroductionDelta("joiner", 1400, random).IsEmpty);
    }
}
