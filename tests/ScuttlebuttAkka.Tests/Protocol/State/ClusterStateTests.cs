using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.State;
using static ScuttlebuttAkka.Tests.Protocol.Reconciliation.ExchangeHarness;

namespace ScuttlebuttAkka.Tests.Protocol.State;

public sealed class ClusterStateTests
{
    private static ClusterState NewNode(string id, int port, long generation = 1) => new(id, generation, $"127.0.0.1:{port}");

    [Fact]
    public void Two_nodes_exchange_their_keys_in_one_round()
    {
        var a = NewNode("a", 1);
        var b = NewNode("b", 2);
        a.Set("role", "web", 0);
        b.Set("role", "db", 0);
        b.Set("load", "0.5", 0);
        var rng = new Random(1);

        // A knows nothing of B, so B must learn of A from A's digest and A of B from B's complete-digest reply.
        var (atA, atB) = Exchange(a, b, 1400, rng);

        Assert.Equal(Fingerprint(a), Fingerprint(b));
        Assert.Contains(atA.Changes, c => c is NodeDiscovered { NodeId: "b" });
        Assert.Contains(atB.Changes, c => c is KeyUpdated { NodeId: "a", Key: "role", Value: "web" });
    }

    [Fact]
    public void A_peer_at_version_14_setting_status_active_moves_to_15()
    {
        var peer = NewNode("9a023689", 1);
        for (var i = 1; i <= 14; i++)
            peer.Set($"k{i}", "v", 0);
        var observer = NewNode("773dc6df", 2);
        Exchange(observer, peer, 1400, new Random(2));
        Assert.Equal(14, observer.Nodes["9a023689"].MaxVersion);

        var version = peer.Set("status", "active", 0);
        var (atObserver, _) = Exchange(observer, peer, 1400, new Random(3));

        Assert.Equal(15, version);
        Assert.Equal(15, observer.Nodes["9a023689"].MaxVersion);
        Assert.True(observer.Nodes["9a023689"].TryGet("status", out var v));
        Assert.Equal(new VersionedValue("active", 15, false), v);
        Assert.Equal(new KeyUpdated("9a023689", "status", "active", 15), Assert.Single(atObserver.Changes));
    }

    [Fact]
    public void Many_nodes_with_a_tiny_budget_still_converge()
    {
        var rng = new Random(4);
        var nodes = Enumerable.Range(0, 12).Select(i => NewNode($"node-{i}", 1000 + i)).ToArray();
        foreach (var n in nodes)
            for (var k = 0; k < 10; k++)
                n.Set($"key-{k}", new string('x', rng.Next(0, 40)), 0);
        for (var round = 0; round < 400; round++)
        {
            var i = rng.Next(nodes.Length);
            var j = (i + 1 + rng.Next(nodes.Length - 1)) % nodes.Length;
            Exchange(nodes[i], nodes[j], 128, rng);
        }

        var expected = Fingerprint(nodes[0]);
        Assert.All(nodes, n => Assert.Equal(expected, Fingerprint(n)));
        Assert.Equal(12, nodes[0].Nodes.Count);
    }
}
