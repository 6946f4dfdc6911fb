using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.State;
using static ScuttlebuttAkka.Tests.Protocol.Reconciliation.ExchangeHarness;

namespace ScuttlebuttAkka.Tests.Protocol.State;

/// <summary>Limits: the application's own bad input fails fast with a clear message; the network's is counted and dropped.</summary>
public sealed class LimitsTests
{
    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("257", "at most 256 UTF-8 bytes")]
    [InlineData("86 CJK", "at most 256 UTF-8 bytes")] // 86 characters, 258 bytes
    public void An_invalid_node_id_fails_fast(string which, string message)
    {
        var id = which switch
        {
            "257" => new string('x', 257),
            "86 CJK" => new string('中', 86),
            _ => which,
        };

        var e = Assert.Throws<ArgumentException>(() => new ClusterState(id, 1, "127.0.0.1:1"));
        Assert.Contains(message, e.Message);
        Assert.Equal("selfId", e.ParamName);
    }

    [Fact]
    public void A_node_id_of_exactly_256_bytes_is_accepted_and_a_null_one_is_not()
    {
        Assert.Equal(256, new ClusterState(new string('x', 256), 1, "127.0.0.1:1").SelfId.Length);
        Assert.Throws<ArgumentNullException>(() => new ClusterState(null!, 1, "127.0.0.1:1"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:")]
    [InlineData(":7946")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.1:-1")]
    [InlineData("::1:7946")]
    [InlineData("[::1]")]
    [InlineData("my host:7946")]
    public void An_invalid_gossip_address_fails_fast(string address)
    {
        var e = Assert.Throws<ArgumentException>(() => new ClusterState("a", 1, address));

        Assert.Contains("gossip address", e.Message);
        Assert.Equal("selfAddress", e.ParamName);
    }

    [Theory]
    [InlineData("127.0.0.1:0")]
    [InlineData("[::1]:7946")]
    [InlineData("node-7.example.internal:65535")]
    public void A_valid_gossip_address_is_accepted(string address) =>
        Assert.Equal(address, new ClusterState("a", 1, address).Self.Address);

    [Fact]
    public void An_address_longer_than_255_bytes_fails_fast()
    {
        var e = Assert.Throws<ArgumentException>(() => new ClusterState("a", 1, new string('h', 250) + ".com:1"));

        Assert.Contains("1 to 255 UTF-8 bytes", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_generation_that_is_not_positive_fails_fast(long generation) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClusterState("a", generation, "127.0.0.1:1"));

    [Fact]
    public void Limits_out_of_range_fail_fast()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NewNode("a", 1, limits: new ProtocolLimits { MaxNodes = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => NewNode("a", 1, limits: new ProtocolLimits { MaxKeysPerNode = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => NewNode("a", 1, limits: new ProtocolLimits { MaxKeyBytes = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => NewNode("a", 1, limits: new ProtocolLimits { MaxValueBytes = -1 }));
    }

    [Fact]
    public void Invalid_keys_and_values_fail_fast_with_the_limit_in_the_message()
    {
        var node = NewNode("a", 1, limits: new ProtocolLimits { MaxKeyBytes = 6, MaxValueBytes = 8 });

        Assert.Contains("must not be empty", Assert.Throws<ArgumentException>(() => node.Set("", "v", 0)).Message);
        Assert.Contains("reserved for the protocol", Assert.Throws<ArgumentException>(() => node.Set("\0left", "v", 0)).Message);
        Assert.Contains("at most 6 UTF-8 bytes", Assert.Throws<ArgumentException>(() => node.Set("中中中", "v", 0)).Message); // 3 chars, 9 bytes
        Assert.Contains("at most 8 UTF-8 bytes", Assert.Throws<ArgumentException>(() => node.Set("k", "ééééé", 0)).Message); // 10 bytes
        Assert.Contains("reserved for the protocol", Assert.Throws<ArgumentException>(() => node.Delete("\0left", 0)).Message);
        Assert.Throws<ArgumentNullException>(() => node.Set(null!, "v", 0));
        Assert.Throws<ArgumentNullException>(() => node.Set("k", null!, 0));

        Assert.Equal(1, node.Set("中中", "éééé", 0)); // exactly at both limits
        Assert.Equal(1, node.Self.MaxVersion);
    }

    [Fact]
    public void Writing_a_new_key_past_MaxKeysPerNode_fails_fast_but_updating_one_does_not()
    {
        var node = NewNode("a", 1, limits: new ProtocolLimits { MaxKeysPerNode = 3 });
        node.Set("k1", "v", 0);
        node.Set("k2", "v", 0);
        node.Set("k3", "v", 0);

        var e = Assert.Throws<InvalidOperationException>(() => node.Set("k4", "v", 0));
        Assert.Contains("already holds 3 keys (tombstones included)", e.Message);
        Assert.Equal(4, node.Set("k1", "updated", 0));
        node.Delete("k2", 0);
        Assert.Throws<InvalidOperationException>(() => node.Set("k4", "v", 0)); // the tombstone still counts
        node.CollectGarbage(60_000, 60_000);
        Assert.Equal(6, node.Set("k4", "v", 60_000));
    }

    [Fact]
    public void A_node_at_MaxKeysPerNode_can_still_leave_and_its_peers_accept_the_mark()
    {
        // Regression: the leave mark is a key, and a node whose keys were full could not write it.
        var limits = new ProtocolLimits { MaxKeysPerNode = 2 };
        var a = NewNode("a", 1, limits: limits);
        var b = NewNode("b", 2, limits: limits);
        a.Set("k1", "v", 0);
        a.Set("k2", "v", 0);
        Exchange(a, b, 1400, new Random(70));

        var version = a.MarkLeaving();
        var (_, atB) = Exchange(a, b, 1400, new Random(71));

        Assert.Equal(3, version);
        Assert.True(a.Self.HasLeft);
        Assert.Contains(new NodeLeft("a", 1), atB.Changes);
        Assert.Equal(0, atB.OverKeyLimit);
    }

    [Fact]
    public void Remote_pairs_past_MaxKeysPerNode_are_counted_and_the_receiver_claims_only_what_it_took()
    {
        var rng = new Random(72);
        var sender = NewNode("s", 1);
        for (var i = 1; i <= 5; i++)
            sender.Set($"k{i}", "v", 0);
        var receiver = NewNode("r", 2, limits: new ProtocolLimits { MaxKeysPerNode = 3 });

        var report = Pull(receiver, sender, rng);

        Assert.Equal(1, report.OverKeyLimit);
        var copy = receiver.Nodes["s"];
        Assert.Equal(3, copy.Count);
        Assert.Equal(3, copy.MaxVersion); // a valid prefix: it must ask again for 4 and 5, not skip them
        Assert.Equal(3, report.Changes.OfType<KeyUpdated>().Count());
    }

    [Fact]
    public void News_of_nodes_past_MaxNodes_is_counted_and_dropped_in_digests_and_deltas()
    {
        var rng = new Random(73);
        var hub = NewNode("hub", 1);
        var owners = Enumerable.Range(0, 5).Select(i => NewNode($"o{i}", 10 + i)).ToArray();
        foreach (var o in owners)
        {
            o.Set("k", "v", 0);
            Pull(hub, o, rng);
        }

        var small = NewNode("small", 2, limits: new ProtocolLimits { MaxNodes = 3 });
        var digestReport = new ApplyReport();
        var response = small.HandleDigestRequest(hub.BuildDigest(1400, rng), 1400, rng, digestReport);
        var deltaReport = Pull(small, hub, rng);

        Assert.Equal(2, response.Digest.Entries.Count(e => e.Generation == 0)); // room for two more, itself included in the three
        Assert.Equal(4, digestReport.OverNodeLimit);
        Assert.Equal(3, small.Nodes.Count);
        Assert.Equal(4, deltaReport.OverNodeLimit);
        Assert.Equal(2, deltaReport.Changes.OfType<NodeDiscovered>().Count());
    }
}
