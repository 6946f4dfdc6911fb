using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Liveness;

namespace ScuttlebuttAkka.Tests.Protocol.Liveness;

public sealed class PeerLivenessTests
{
    private static readonly LivenessSettings Settings = LivenessSettings.Default;
    private static readonly double Threshold = Settings.Detector.Threshold;

    // A peer that heard heartbeats every second from 0 to 10 s.
    private static PeerLiveness Steady(out long last)
    {
        var p = new PeerLiveness("peer-1", 7, Settings, 0);
        for (last = 1000; last <= 10_000; last += 1000)
            Assert.Equal(LivenessTransition.None, p.OnHeartbeat(last));
        last -= 1000;
        return p;
    }

    // Checks every 100 ms after `from` until the peer goes down; returns when it did.
    private static long CheckUntilDown(PeerLiveness p, long from)
    {
        for (var t = from + 100; t < from + 600_000; t += 100)
        {
            var transition = p.Check(t);
            if (transition == LivenessTransition.Down)
                return t;
            Assert.Equal(LivenessTransition.None, transition);
        }

        throw new Xunit.Sdk.XunitException("the peer never went down");
    }

    [Fact]
    public void A_new_peer_is_alive_and_its_creation_counts_as_a_heartbeat()
    {
        var p = new PeerLiveness("peer-1", 7, Settings, 5000);

        Assert.Equal("peer-1", p.NodeId);
        Assert.Equal(7, p.Generation);
        Assert.Equal(PeerStatus.Alive, p.Status);
        Assert.Equal(5000, p.StatusSinceMs);
        Assert.Equal(5000, p.LastHeartbeatMs);
        Assert.False(p.IsRemoved);
        Assert.Equal(LivenessTransition.None, p.Check(5000 + 1000));
        Assert.True(p.Phi(5000 + 60_000) > Threshold, "silence since creation must raise phi");
    }

    [Fact]
    public void Regular_heartbeats_keep_a_peer_alive()
    {
        var p = new PeerLiveness("peer-1", 1, Settings, 0);
        var rng = new Random(5);
        long t = 0;
        for (var i = 0; i < 2000; i++)
        {
            var next = t + 1000 + rng.Next(-300, 301);
            for (var c = t + 250; c < next; c += 250)
                Assert.Equal(LivenessTransition.None, p.Check(c));
            t = next;
            Assert.Equal(LivenessTransition.None, p.OnHeartbeat(t));
        }

        Assert.Equal(PeerStatus.Alive, p.Status);
        Assert.Equal(0, p.StatusSinceMs);
    }

    [Fact]
    public void A_silent_peer_goes_down_when_phi_passes_the_threshold()
    {
        var p = Steady(out var last);

        var downAt = CheckUntilDown(p, last);

        Assert.True(p.Phi(downAt) > Threshold);
        Assert.True(p.Phi(downAt - 100) <= Threshold, "it should have gone down at the first check past the threshold");
        Assert.Equal(PeerStatus.Down, p.Status);
        Assert.Equal(downAt, p.StatusSinceMs);
        Assert.Equal(LivenessTransition.None, p.Check(downAt + 1000));
        Assert.Equal(PeerStatus.Down, p.Status);
    }

    [Fact]
    public void Arrivals_closer_than_the_gap_count_once_and_a_down_peer_still_comes_back_on_the_first()
    {
        var p = new PeerLiveness("peer-1", 1, Settings, 0);

        Assert.Equal(LivenessTransition.None, p.OnHeartbeat(1000, minGapMs: 50));
        Assert.Equal(LivenessTransition.None, p.OnHeartbeat(1049, minGapMs: 50));
        Assert.Equal(1000, p.LastHeartbeatMs);
        Assert.Equal(LivenessTransition.None, p.OnHeartbeat(1050, minGapMs: 50));
        Assert.Equal(1050, p.LastHeartbeatMs);

        var downAt = CheckUntilDown(p, 1050);
        Assert.Equal(LivenessTransition.Up, p.OnHeartbeat(downAt + 1, minGapMs: 50));
        Assert.Equal(LivenessTransition.None, p.OnHeartbeat(downAt + 2, minGapMs: 50));
        Assert.Equal(downAt + 1, p.LastHeartbeatMs);
    }

    [Fact]
    public void A_down_peer_comes_back_up_on_its_next_heartbeat()
    {
        var p = Steady(out var last);
        var downAt = CheckUntilDown(p, last);

        Assert.Equal(LivenessTransition.Up, p.OnHeartbeat(downAt + 5000));

        Assert.Equal(PeerStatus.Alive, p.Status);
        Assert.Equal(downAt + 5000, p.StatusSinceMs);
        Assert.Equal(LivenessTransition.None, p.OnHeartbeat(downAt + 6000));
        Assert.Equal(LivenessTransition.None, p.Check(downAt + 6500));
        Assert.True(p.Phi(downAt + 6500) <= Threshold);
    }

    [Fact]
    public void A_peer_that_goes_down_again_after_coming_up_is_reported_each_time()
    {
        var p = Steady(out var last);
        var transitions = new List<LivenessTransition>();
        for (var episode = 0; episode < 3; episode++)
        {
            last = CheckUntilDown(p, last);
            transitions.Add(LivenessTransition.Down);
            last += 1000;
            transitions.Add(p.OnHeartbeat(last));
        }

        Assert.Equal([LivenessTransition.Down, LivenessTransition.Up, LivenessTransition.Down, LivenessTransition.Up, LivenessTransition.Down, LivenessTransition.Up], transitions);
        Assert.Equal(PeerStatus.Alive, p.Status);
    }

    [Fact]
    public void A_down_peer_is_removed_after_the_down_expiry_exactly_once()
    {
        var p = Steady(out var last);
        var downAt = CheckUntilDown(p, last);
        var expiry = (long)Settings.DownExpiry.TotalMilliseconds;

        Assert.Equal(LivenessTransition.None, p.Check(downAt + expiry - 1));
        Assert.False(p.IsRemoved);
        Assert.Equal(LivenessTransition.Removed, p.Check(downAt + expiry));

        Assert.True(p.IsRemoved);
        Assert.Equal(LivenessTransition.None, p.Check(downAt + expiry + 1));
        Assert.Equal(LivenessTransition.None, p.Check(downAt + 10 * expiry));
        Assert.Equal(LivenessTransition.None, p.OnHeartbeat(downAt + expiry + 2));
        Assert.Equal(LivenessTransition.None, p.OnLeft(downAt + expiry + 3));
        Assert.True(p.IsRemoved);
    }

    [Fact]
    public void A_left_peer_is_reported_once_never_goes_down_and_ignores_heartbeats()
    {
        var p = Steady(out var last);

        Assert.Equal(LivenessTransition.Left, p.OnLeft(last + 100));
        Assert.Equal(LivenessTransition.None, p.OnLeft(last + 200));
        Assert.Equal(PeerStatus.Left, p.Status);
        Assert.Equal(last + 100, p.StatusSinceMs);

        var expiry = (long)Settings.LeftExpiry.TotalMilliseconds;
        for (var t = last + 200; t < last + 100 + expiry; t += 100)
        {
            Assert.Equal(LivenessTransition.None, p.Check(t));
            Assert.Equal(PeerStatus.Left, p.Status);
        }

        Assert.True(p.Phi(last + expiry) > Threshold, "the silence was long enough to have taken an alive peer down");
        Assert.Equal(LivenessTransition.None, p.OnHeartbeat(last + 5000));
        Assert.Equal(PeerStatus.Left, p.Status);
    }

    [Fact]
    public void A_left_peer_is_removed_after_the_left_expiry_exactly_once()
    {
        var p = Steady(out var last);
        var expiry = (long)Settings.LeftExpiry.TotalMilliseconds;
        p.OnLeft(last);

        Assert.Equal(LivenessTransition.None, p.Check(last + expiry - 1));
        Assert.Equal(LivenessTransition.Removed, p.Check(last + expiry));
        Assert.Equal(LivenessTransition.None, p.Check(last + expiry + 1));
        Assert.True(p.IsRemoved);
    }

    [Fact]
    public void A_down_peer_that_announces_its_leave_becomes_left()
    {
        var p = Steady(out var last);
        var downAt = CheckUntilDown(p, last);

        Assert.Equal(LivenessTransition.Left, p.OnLeft(downAt + 10));

        Assert.Equal(PeerStatus.Left, p.Status);
        // The left expiry now applies, not what was left of the down expiry.
        Assert.Equal(LivenessTransition.Removed, p.Check(downAt + 10 + (long)Settings.LeftExpiry.TotalMilliseconds));
    }

    [Fact]
    public void Zero_expiries_remove_on_the_next_check()
    {
        var p = new PeerLiveness("peer-1", 1, Settings with { LeftExpiry = TimeSpan.Zero }, 0);
        p.OnLeft(100);

        Assert.Equal(LivenessTransition.Removed, p.Check(100));
    }

    [Fact]
    public void A_restart_starts_a_fresh_alive_incarnation()
    {
        var p = Steady(out var last);
        var downAt = CheckUntilDown(p, last);
        var restartAt = downAt + 3000;

        p.OnRestarted(8, restartAt);

        var fresh = new PeerLiveness("peer-1", 8, Settings, restartAt);
        Assert.Equal(8, p.Generation);
        Assert.Equal(PeerStatus.Alive, p.Status);
        Assert.Equal(restartAt, p.StatusSinceMs);
        Assert.Equal(restartAt, p.LastHeartbeatMs);
        for (var t = restartAt; t < restartAt + 20_000; t += 500)
            Assert.Equal(fresh.Phi(t), p.Phi(t));
        Assert.Equal(CheckUntilDown(fresh, restartAt), CheckUntilDown(p, restartAt));
    }

    [Fact]
    public void A_restart_revives_a_removed_or_left_peer()
    {
        var removed = Steady(out var last);
        removed.OnLeft(last);
        removed.Check(last + (long)Settings.LeftExpiry.TotalMilliseconds);
        Assert.True(removed.IsRemoved);

        removed.OnRestarted(8, last + 20_000);

        Assert.False(removed.IsRemoved);
        Assert.Equal(PeerStatus.Alive, removed.Status);
        Assert.Equal(LivenessTransition.None, removed.OnHeartbeat(last + 21_000));
        Assert.Equal(LivenessTransition.Left, removed.OnLeft(last + 22_000));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(6)]
    public void A_restart_must_bring_a_newer_generation(long generation)
    {
        var p = Steady(out var last);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => p.OnRestarted(generation, last));

        Assert.Equal("newGeneration", ex.ParamName);
        Assert.Equal(7, p.Generation);
    }

    [Fact]
    public void Invalid_arguments_fail_fast()
    {
        Assert.Throws<ArgumentNullException>(() => new PeerLiveness(null!, 1, Settings, 0));
        Assert.Throws<ArgumentException>(() => new PeerLiveness("", 1, Settings, 0));
        Assert.Throws<ArgumentNullException>(() => new PeerLiveness("a", 1, null!, 0));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new PeerLiveness("a", 1, Settings with { Detector = Settings.Detector with { Threshold = 0 } }, 0));
        Assert.Equal(nameof(FailureDetectorSettings.Threshold), ex.ParamName);
    }

    public static TheoryData<LivenessSettings, string> InvalidSettings() => new()
    {
        { Settings with { DownExpiry = TimeSpan.FromSeconds(-1) }, nameof(LivenessSettings.DownExpiry) },
        { Settings with { LeftExpiry = TimeSpan.FromMilliseconds(-1) }, nameof(LivenessSettings.LeftExpiry) },
        { Settings with { Detector = Settings.Detector with { MaxSampleSize = 0 } }, nameof(FailureDetectorSettings.MaxSampleSize) },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void Invalid_liveness_settings_name_the_bad_parameter(LivenessSettings settings, string parameter)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(settings.Validate);

        Assert.Equal(parameter, ex.ParamName);
        Assert.Contains(parameter + " must", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_detector_is_reported()
    {
        var ex = Assert.Throws<ArgumentNullException>((Settings with { Detector = null! }).Validate);

        Assert.Equal(nameof(LivenessSettings.Detector), ex.ParamName);
        LivenessSettings.Default.Validate();
    }
}
