using ScuttlebuttAkka.Protocol.Liveness;

namespace ScuttlebuttAkka.Tests.Protocol.Liveness;

public sealed class StallGuardTests
{
    [Fact]
    public void Rounds_on_time_or_a_little_late_judge()
    {
        var guard = new StallGuard(100);
        long t = 5_000;
        Assert.True(guard.ShouldJudge(t)); // the first round has nothing to compare with
        foreach (var gap in new[] { 100, 90, 130, 200, 1, 0 })
            Assert.True(guard.ShouldJudge(t += gap), $"a gap of {gap} ms");
        Assert.Equal(0, guard.LateRounds);
    }

    [Fact]
    public void A_round_more_than_two_intervals_late_does_not_judge_and_the_next_one_does()
    {
        var guard = new StallGuard(100);
        Assert.True(guard.ShouldJudge(1_000));
        Assert.True(guard.ShouldJudge(1_100));

        Assert.False(guard.ShouldJudge(1_301)); // stalled for two intervals and a millisecond
        Assert.True(guard.ShouldJudge(1_302)); // the catch-up round right after
        Assert.False(guard.ShouldJudge(61_302)); // a minute asleep
        Assert.True(guard.ShouldJudge(61_400));
        Assert.Equal(2, guard.LateRounds);
    }

    [Fact]
    public void A_clock_that_steps_back_is_not_a_stall()
    {
        var guard = new StallGuard(100);
        Assert.True(guard.ShouldJudge(10_000));
        Assert.True(guard.ShouldJudge(9_000));
        Assert.True(guard.ShouldJudge(9_100));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void An_interval_below_one_millisecond_is_refused(long interval)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new StallGuard(interval));
        Assert.Equal("intervalMs", ex.ParamName);
    }
}
