using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.State;
using static ScuttlebuttAkka.Tests.Protocol.Reconciliation.ExchangeHarness;

namespace ScuttlebuttAkka.Tests.Protocol.State;

/// <summary>
/// Collected tombstones and nodes that learn a peer from scratch: found by the model-based simulation test, where a
/// deleted key survived forever on a node that caught up through a relay.
/// </summary>
public sealed class TombstoneWatermarkTests
{
    private static ClusterState NewNode(string id, int port) => new(id, 1, $"127.0.0.1:{port}");

    [Fact]
    public void A_node_introduced_after_tombstones_were_collected_learns_the_watermark()
    {
        var x = NewNode("x", 9);
        x.Set("k", "1", 0);
        x.Delete("k", 0);
        Assert.Equal(1, x.CollectGarbage(nowMs: 1000, tombstoneGraceMs: 0));
        var newcomer = NewNode("c", 3);

        Exchange(newcomer, x, 1400, new Random(1));

        Assert.Equal(2, newcomer.Nodes["x"].MaxVersion);
        Assert.Equal(2, newcomer.Nodes["x"].GcWatermark);
    }

    [Fact]
    public void A_delete_whose_tombstone_was_collected_reaches_a_stale_node_through_a_newcomer()
    {
        var rng = new Random(2);
        var x = NewNode("x", 9);
        var stale = NewNode("a", 1);
        x.Set("k", "1", 0);
        Exchange(stale, x, 1400, rng);
        Assert.True(stale.Nodes["x"].TryGet("k", out _));

        // x deletes k and collects the tombstone before the stale node hears of it; a newcomer learns x afresh.
        x.Delete("k", 0);
        x.CollectGarbage(nowMs: 1000, tombstoneGraceMs: 0);
        var newcomer = NewNode("c", 3);
        Exchange(newcomer, x, 1400, rng);

        // The stale node catches up from the newcomer alone.
        Exchange(stale, newcomer, 1400, rng);
        Exchange(newcomer, stale, 1400, rng);

        Assert.Equal(2, stale.Nodes["x"].MaxVersion);
        Assert.False(stale.Nodes["x"].TryGet("k", out var left) && !left.IsDeleted, "the deleted key must be gone");
        Assert.Equal(Fingerprint(newcomer), Fingerprint(stale));
    }
}
