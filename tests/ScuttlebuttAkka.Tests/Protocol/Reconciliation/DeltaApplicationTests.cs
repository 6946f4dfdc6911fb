using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.State;
using static ScuttlebuttAkka.Tests.Protocol.Reconciliation.ExchangeHarness;

namespace ScuttlebuttAkka.Tests.Protocol.Reconciliation;

/// <summary>Applying node deltas: only a contiguous continuation is taken; everything else is counted and changes nothing.</summary>
public sealed class DeltaApplicationTests
{
    private const long Generation = 7;

    /// <summary>A receiver that holds node a up to version 5 (keys k1..k5 at versions 1..5), with heartbeat 3.</summary>
    private static ClusterState ReceiverAtVersion5()
    {
        var a = NewNode("a", 1, Generation);
        for (var i = 1; i <= 5; i++)
            a.Set($"k{i}", $"v{i}", 0);
        a.BumpHeartbeat();
        a.BumpHeartbeat();
        a.BumpHeartbeat();
        var b = NewNode("b", 2);
        Pull(b, a, new Random(20));
        Assert.Equal(5, b.Nodes["a"].MaxVersion);
        return b;
    }

    private static NodeDelta DeltaForA(long from, long last, long heartbeat, params KeyValueUpdate[] pairs) =>
        new("a", Generation, null, heartbeat, from, last, false, 0, pairs);

    private static KeyValueUpdate Pair(int version) => new($"k{version}", $"v{version}", version, false);

    [Fact]
    public void A_delta_that_starts_past_what_the_receiver_holds_is_rejected_as_non_contiguous()
    {
        var b = ReceiverAtVersion5();
        var before = Fingerprint(b);
        var report = new ApplyReport();

        b.ApplyDelta(new Delta([DeltaForA(from: 6, last: 7, heartbeat: 3, Pair(7))]), 0, report);

        Assert.Equal(1, report.NonContiguous);
        Assert.Empty(report.Changes);
        Assert.Equal(before, Fingerprint(b));
    }

    [Fact]
    public void A_delta_for_an_unknown_node_that_does_not_start_at_zero_is_rejected_as_non_contiguous()
    {
        var b = NewNode("b", 2);
        var report = new ApplyReport();

        b.ApplyDelta(new Delta([new NodeDelta("x", 1, "127.0.0.1:9", 1, 3, 4, false, 0, [new KeyValueUpdate("k", "v", 4, false)])]), 0, report);

        Assert.Equal(1, report.NonContiguous);
        Assert.False(b.TryGetNode("x", out _));
    }

    [Fact]
    public void A_delta_with_nothing_newer_is_counted_stale_but_its_newer_heartbeat_is_taken()
    {
        var b = ReceiverAtVersion5();
        var before = Fingerprint(b);
        var report = new ApplyReport();

        b.ApplyDelta(new Delta([DeltaForA(from: 3, last: 5, heartbeat: 9, Pair(4), Pair(5))]), 0, report);

        Assert.Equal(1, report.Stale);
        Assert.Empty(report.Changes);
        Assert.Equal(before, Fingerprint(b));
        Assert.Equal(["a"], report.HeartbeatsAdvanced);
        Assert.Equal(9, b.Nodes["a"].Heartbeat);
    }

    [Fact]
    public void An_overlapping_delta_applies_only_the_pairs_above_what_is_held()
    {
        var b = ReceiverAtVersion5();
        var report = new ApplyReport();

        b.ApplyDelta(new Delta([DeltaForA(from: 3, last: 7, heartbeat: 3, Pair(4), Pair(5), Pair(6), Pair(7))]), 0, report);

        Assert.Equal([new KeyUpdated("a", "k6", "v6", 6), new KeyUpdated("a", "k7", "v7", 7)], report.Changes);
        Assert.Equal(7, b.Nodes["a"].MaxVersion);
        Assert.False(report.AnyRejected);
    }

    [Fact]
    public void Applying_the_same_delta_twice_changes_nothing_the_second_time()
    {
        var b = ReceiverAtVersion5();
        var delta = new Delta([DeltaForA(from: 5, last: 6, heartbeat: 4, Pair(6))]);
        var first = new ApplyReport();
        var second = new ApplyReport();

        b.ApplyDelta(delta, 0, first);
        var after = Fingerprint(b);
        b.ApplyDelta(delta, 0, second);

        Assert.Single(first.Changes);
        Assert.Empty(second.Changes);
        Assert.Equal(1, second.Stale);
        Assert.Equal(after, Fingerprint(b));
    }

    [Theory]
    [InlineData(5, 7, 7, 6)] // pairs out of order
    [InlineData(5, 6, 6, 7)] // a pair above the stated last version
    [InlineData(5, 7, 5, 6)] // a pair at the from version, which the receiver already has
    public void A_delta_whose_versions_are_out_of_order_or_range_is_rejected_as_malformed(long from, long last, int first, int second)
    {
        var b = ReceiverAtVersion5();
        var before = Fingerprint(b);
        var report = new ApplyReport();

        b.ApplyDelta(new Delta([DeltaForA(from, last, 3, Pair(first), Pair(second))]), 0, report);

        Assert.Equal(1, report.Malformed);
        Assert.Empty(report.Changes);
        Assert.Equal(before, Fingerprint(b));
    }

    [Fact]
    public void A_delta_for_an_unknown_node_without_its_address_is_counted_and_dropped()
    {
        var b = NewNode("b", 2);
        var report = new ApplyReport();

        b.ApplyDelta(new Delta([new NodeDelta("x", 1, null, 1, 0, 1, false, 0, [new KeyValueUpdate("k", "v", 1, false)])]), 0, report);

        Assert.Equal(1, report.UnknownWithoutAddress);
        Assert.False(b.TryGetNode("x", out _));
    }

    [Fact]
    public void Gossip_about_the_receiver_itself_is_ignored_and_counted()
    {
        var b = NewNode("b", 2, generation: 5);
        b.Set("mine", "1", 0);
        var report = new ApplyReport();

        // Another node claims b wrote more, at this and at a later generation.
        b.ApplyDelta(new Delta([
            new NodeDelta("b", 5, null, 50, 1, 2, false, 0, [new KeyValueUpdate("mine", "forged", 2, false)]),
            new NodeDelta("b", 6, "127.0.0.1:66", 50, 0, 1, false, 0, [new KeyValueUpdate("mine", "forged", 1, false)]),
        ]), 0, report);
        var response = b.HandleDigestRequest(new Digest([new DigestEntry("b", 5, 50, 9)], IsComplete: false), 1400, new Random(21), report);

        Assert.Equal(3, report.AboutSelf);
        Assert.Empty(report.Changes);
        Assert.Equal(1, b.Self.MaxVersion);
        Assert.Equal(5, b.Self.Generation);
        Assert.Equal(0, b.Self.Heartbeat);
        Assert.True(b.Self.TryGet("mine", out var v));
        Assert.Equal("1", v.Value);
        Assert.DoesNotContain(response.Digest.Entries, e => e.NodeId == "b");
    }
}
