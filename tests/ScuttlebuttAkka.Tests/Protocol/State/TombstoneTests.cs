using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;
using static ScuttlebuttAkka.Tests.Protocol.Reconciliation.ExchangeHarness;

namespace ScuttlebuttAkka.Tests.Protocol.State;

/// <summary>Deletes, their collection after a grace period, the reset that brings a far-behind copy back, and time to live.</summary>
public sealed class TombstoneTests
{
    private const long Grace = 60_000;
    private const int Budget = 1400;

    private static string LivePairs(NodeState n) =>
        string.Join(",", n.Pairs.Where(p => !p.Value.IsDeleted).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value.Value}@{p.Value.Version}"));

    [Fact]
    public void A_tombstone_is_collected_once_it_is_older_than_the_grace_period_where_it_was_received()
    {
        var rng = new Random(50);
        var o = NewNode("o", 1);
        o.Set("k", "v", 0);
        o.Set("keep", "x", 0);
        var p = NewNode("p", 2);
        Exchange(o, p, Budget, rng, nowMs: 0);

        Assert.Equal(3, o.Delete("k", nowMs: 1_000));
        Assert.Equal(0, o.CollectGarbage(1_000 + Grace - 1, Grace));
        Assert.True(o.Self.TryGet("k", out var tombstone) && tombstone.IsDeleted);
        Exchange(o, p, Budget, rng, nowMs: 5_000); // p learns of the delete four seconds later

        Assert.Equal(1, o.CollectGarbage(1_000 + Grace, Grace));
        Assert.False(o.Self.TryGet("k", out _));
        Assert.Equal(3, o.Self.GcWatermark);
        Assert.Equal(0, p.CollectGarbage(1_000 + Grace, Grace));
        Assert.True(p.Nodes["o"].TryGet("k", out var copy) && copy.IsDeleted);
        Assert.Equal(1, p.CollectGarbage(5_000 + Grace, Grace));
        Assert.False(p.Nodes["o"].TryGet("k", out _));
        Assert.Equal(3, p.Nodes["o"].GcWatermark);
    }

    [Fact]
    public void A_receiver_behind_the_collected_tombstones_gets_a_reset_delta_and_ends_with_the_right_keys()
    {
        var rng = new Random(51);
        var o = NewNode("o", 1);
        o.Set("a", "1", 0);
        o.Set("b", "2", 0);
        o.Set("c", "3", 0);
        var r = NewNode("r", 2);
        Exchange(r, o, Budget, rng);
        o.Delete("b", 0);
        o.Set("d", "4", 0);
        Assert.Equal(1, o.CollectGarbage(Grace, Grace));

        var offered = o.HandleDigestRequest(r.BuildDigest(Budget, rng), Budget, rng, new ApplyReport());
        var (atR, _) = Exchange(r, o, Budget, rng);

        var reset = Assert.Single(offered.Delta.Nodes, d => d.NodeId == "o");
        Assert.True(reset.IsReset);
        Assert.Equal(0, reset.FromVersion);
        Assert.Equal(4, reset.GcWatermark);
        var copy = r.Nodes["o"];
        Assert.Equal("a=1@1,c=3@3,d=4@5", LivePairs(copy));
        Assert.False(copy.TryGet("b", out _));
        Assert.Equal(5, copy.MaxVersion);
        Assert.Equal(4, copy.GcWatermark);
        // Only what changed is reported: a and c were held already.
        Assert.Equal([new KeyTombstoned("o", "b", 5), new KeyUpdated("o", "d", "4", 5)], atR.Changes.Where(c => c.NodeId == "o"));
    }

    [Fact]
    public void A_node_that_learns_a_peer_after_its_tombstones_were_collected_does_not_keep_a_deleted_key_alive_elsewhere()
    {
        // Regression: an introducing delta did not carry the watermark, so the new copy passed on the pairs without a
        // reset and a lagging third node kept the deleted key forever.
        var rng = new Random(52);
        var o = NewNode("o", 1);
        o.Set("k", "doomed", 0);
        o.Set("p", "1", 0);
        var lagging = NewNode("lagging", 2);
        Pull(lagging, o, rng);
        o.Delete("k", 0);
        o.Set("x", "2", 0);
        Assert.Equal(1, o.CollectGarbage(Grace, Grace));

        var newcomer = NewNode("newcomer", 3);
        Pull(newcomer, o, rng);
        Assert.Equal(3, newcomer.Nodes["o"].GcWatermark);
        var (atLagging, _) = Exchange(lagging, newcomer, Budget, rng);

        Assert.False(lagging.Nodes["o"].TryGet("k", out _));
        Assert.Equal(LivePairs(o.Self), LivePairs(lagging.Nodes["o"]));
        Assert.Contains(new KeyTombstoned("o", "k", 4), atLagging.Changes);
    }

    [Fact]
    public void A_reset_cut_below_what_the_receiver_holds_still_converges_instead_of_repeating_forever()
    {
        // Regression: the reset restarts at version 0; cut by the budget at or below the receiver's version, it used to
        // be rejected as stale and sent again, identically, every round.
        var rng = new Random(53);
        var o = NewNode("o", 1);
        for (var i = 0; i < 30; i++)
            o.Set($"key-{i:D2}", new string((char)('a' + (i % 26)), 40), 0);
        var r = NewNode("r", 2);
        Pull(r, o, rng);
        Assert.Equal(30, r.Nodes["o"].MaxVersion);
        o.Delete("key-29", 0);
        Assert.Equal(1, o.CollectGarbage(Grace, Grace));
        const int small = 300;
        var first = o.BuildDelta(r.BuildDigest(small, rng), small - WireFormat.HeaderSize, rng);
        Assert.True(first.Nodes[0].IsReset);
        Assert.True(first.Nodes[0].LastVersion < 30, "the reset must be cut below the receiver's version for this test");

        var deleted = false;
        var rounds = 0;
        while (r.Nodes["o"].MaxVersion != o.Self.MaxVersion || LivePairs(r.Nodes["o"]) != LivePairs(o.Self))
        {
            Assert.True(++rounds <= 20, $"no convergence after 20 rounds; the copy is at v{r.Nodes["o"].MaxVersion}");
            var atR = rounds % 2 == 0 ? Exchange(r, o, small, rng).AtA : Exchange(o, r, small, rng).AtB;
            deleted |= atR.Changes.Any(c => c is KeyTombstoned { NodeId: "o", Key: "key-29" });
        }

        Assert.True(deleted, "key-29 must be reported deleted");
        Assert.False(r.Nodes["o"].TryGet("key-29", out _));
        Assert.Equal(31, r.Nodes["o"].GcWatermark);
    }

    [Fact]
    public void A_reset_never_replaces_a_newer_value_with_an_older_one_nor_reports_unchanged_keys()
    {
        // Regression: the reset cleared the copy and reapplied the sender's pairs, so a sender that had skipped a write
        // (its copy was filled by a cut delta) made the receiver go back to an older value and report it as an update.
        var rng = new Random(54);
        var o = NewNode("o", 1);
        o.Set("k", "first", 0);   // v1
        o.Set("s", "x", 0);       // v2
        var relay = NewNode("relay", 2);
        Pull(relay, o, rng);      // relay: k@1, s@2
        o.Set("k", "second", 0);  // v3
        var r = NewNode("r", 3);
        Pull(r, o, rng);          // r: k@3, s@2
        o.Delete("s", 0);         // v4
        o.Set("k", "third", 0);   // v5

        // The relay gets a delta cut after the tombstone of s, so it never sees k@3 and holds k@1 up to version 4.
        var cut = Enumerable.Range(10, 40)
            .Select(body => o.BuildDelta(relay.BuildDigest(Budget, rng), body, rng))
            .First(d => d.Nodes.Count == 1 && d.Nodes[0].Pairs.Count == 1);
        Assert.Equal(new KeyValueUpdate("s", "", 4, true), cut.Nodes[0].Pairs[0]);
        relay.ApplyDelta(cut, 0, new ApplyReport());
        Assert.Equal(1, relay.CollectGarbage(Grace, Grace));

        var report = Pull(r, relay, rng);

        var copy = r.Nodes["o"];
        Assert.True(copy.TryGet("k", out var k));
        Assert.Equal(new VersionedValue("second", 3, false), k);
        Assert.False(copy.TryGet("s", out _));
        Assert.Equal(4, copy.MaxVersion);
        Assert.Equal([new KeyTombstoned("o", "s", 4)], report.Changes.Where(c => c.NodeId == "o"));

        Pull(r, o, rng);
        Assert.Equal(LivePairs(o.Self), LivePairs(r.Nodes["o"]));
    }

    [Fact]
    public void A_key_with_a_time_to_live_expires_into_a_tombstone_that_spreads()
    {
        var rng = new Random(55);
        var o = NewNode("o", 1);
        o.Set("session", "s1", 1_000, TimeSpan.FromMilliseconds(500));
        o.Set("stay", "1", 1_000);
        var p = NewNode("p", 2);
        Exchange(o, p, Budget, rng, nowMs: 1_000);
        Assert.True(p.Nodes["o"].TryGet("session", out var live) && !live.IsDeleted);

        Assert.Empty(o.ExpireKeys(1_499));
        Assert.Equal(["session"], o.ExpireKeys(1_500));
        Assert.Empty(o.ExpireKeys(1_600));
        var (_, atP) = Exchange(o, p, Budget, rng, nowMs: 1_600);

        Assert.True(o.Self.TryGet("session", out var own) && own.IsDeleted);
        Assert.Equal(3, own.Version);
        Assert.Equal([new KeyTombstoned("o", "session", 3)], atP.Changes);
        Assert.True(p.Nodes["o"].TryGet("session", out var copy) && copy.IsDeleted);
        Assert.True(p.Nodes["o"].TryGet("stay", out var stay) && !stay.IsDeleted);
    }

    [Fact]
    public void Writing_a_key_again_without_a_time_to_live_cancels_its_expiry()
    {
        var o = NewNode("o", 1);
        o.Set("k", "v1", 0, TimeSpan.FromSeconds(1));
        o.Set("k", "v2", 10);

        Assert.Empty(o.ExpireKeys(10_000));
        Assert.True(o.Self.TryGet("k", out var v) && !v.IsDeleted);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void A_time_to_live_that_is_not_positive_fails_fast(int ms)
    {
        var o = NewNode("o", 1);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => o.Set("k", "v", 0, TimeSpan.FromMilliseconds(ms)));
        Assert.Contains("time to live must be positive", e.Message);
        Assert.Equal(0, o.Self.MaxVersion);
    }

    [Fact]
    public void Deleting_a_key_that_does_not_exist_or_is_already_deleted_writes_nothing()
    {
        var o = NewNode("o", 1);
        o.Set("k", "v", 0);

        Assert.Equal(0, o.Delete("missing", 0));
        Assert.Equal(2, o.Delete("k", 0));
        Assert.Equal(0, o.Delete("k", 0));
        Assert.Equal(2, o.Self.MaxVersion);
    }
}
