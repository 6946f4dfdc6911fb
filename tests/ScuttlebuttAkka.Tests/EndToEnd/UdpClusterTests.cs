using Akka.TestKit.Xunit2;
using ScuttlebuttAkka.Protocol;

namespace ScuttlebuttAkka.Tests.EndToEnd;

/// <summary>
/// End-to-end tests over real UDP on loopback. Few, with generous timeouts: they assert outcomes, never timings.
/// </summary>
public sealed class UdpClusterTests : TestKit
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task An_update_on_node_2_reaches_node_1s_subscriber_and_lookup()
    {
        await using var cluster = new LocalCluster(Sys);
        var node1 = await cluster.StartAsync("node-1");
        var subscriber = CreateTestProbe();
        await node1.SubscribeAsync(subscriber);
        var node2 = await cluster.StartAsync("node-2", seeds: node1.Address);

        node2.UpdateLocal("routing.addr", "10.25.104.42:5112");

        subscriber.FishForMessage(m => m is PeerEvent.Updated { NodeId: "node-1", PeerId: "node-2", Key: "routing.addr", Value: "10.25.104.42:5112" }, Generous);
        AwaitAssert(() => Assert.Equal("10.25.104.42:5112", node1.Lookup("node-2", "routing.addr")), Generous);
    }

    [Fact]
    public async Task Three_nodes_discover_each_other()
    {
        await using var cluster = new LocalCluster(Sys);
        var a = await cluster.StartAsync("a");
        var b = await cluster.StartAsync("b", seeds: a.Address);
        var c = await cluster.StartAsync("c", seeds: a.Address);

        AwaitAssert(() =>
        {
            foreach (var node in new[] { a, b, c })
            {
                var live = node.View.LivePeers.Select(p => p.PeerId).OrderBy(x => x).ToArray();
                Assert.Equal(new[] { "a", "b", "c" }.Where(x => x != node.NodeId).ToArray(), live);
            }
        }, Generous);
    }

    [Fact]
    public async Task A_seed_callback_that_blocks_holds_up_neither_its_node_start_nor_the_other_nodes_of_the_process()
    {
        // Every node of a process shares the socket loop; the seed provider is application code, and a slow one (here
        // a callback that blocks until released) must not stall the loop.
        using var release = new ManualResetEventSlim();
        await using var cluster = new LocalCluster(Sys);
        var lonely = await cluster.StartAsync("lonely", s => s with
        {
            SeedProvider = new ScuttlebuttAkka.Seeds.CallbackSeedProvider(() =>
            {
                // Longer than every wait below, so that a stalled loop fails the test instead of recovering in time.
                release.Wait(TimeSpan.FromMinutes(1));
                return Array.Empty<string>();
            }),
        });
        try
        {
            var a = await cluster.StartAsync("a");
            var b = await cluster.StartAsync("b", seeds: a.Address);
            b.UpdateLocal("role", "db");

            AwaitAssert(() => Assert.Equal("db", a.Lookup("b", "role")), Generous);
            Assert.False(release.IsSet);
            Assert.Equal("lonely", lonely.NodeId);
        }
        finally
        {
            release.Set();
        }
    }

    [Fact]
    public async Task A_stopped_node_is_reported_down()
    {
        await using var cluster = new LocalCluster(Sys);
        var a = await cluster.StartAsync("a");
        var b = await cluster.StartAsync("b", seeds: a.Address);
        var events = CreateTestProbe();
        await a.SubscribeAsync(events);
        AwaitAssert(() => Assert.Single(a.View.LivePeers), Generous);

        await b.StopAsync();

        events.FishForMessage(m => m is PeerEvent.Down { NodeId: "a", PeerId: "b" }, Generous);
        Assert.Equal(PeerStatus.Down, a.View.Peers["b"].Status);
    }

    [Fact]
    public async Task A_graceful_leave_is_reported_as_left_not_down()
    {
        await using var cluster = new LocalCluster(Sys);
        var a = await cluster.StartAsync("a");
        var b = await cluster.StartAsync("b", seeds: a.Address);
        var events = CreateTestProbe();
        await a.SubscribeAsync(events);
        AwaitAssert(() => Assert.Single(a.View.LivePeers), Generous);

        await b.LeaveAsync();

        var seen = events.FishForMessage(m => m is PeerEvent.Left or PeerEvent.Down && ((PeerEvent)m).PeerId == "b", Generous);
        Assert.IsType<PeerEvent.Left>(seen);
        Assert.Equal(PeerStatus.Left, a.View.Peers["b"].Status);
    }

    [Fact]
    public async Task A_restart_with_a_higher_generation_is_reported_and_replaces_the_old_keys()
    {
        await using var cluster = new LocalCluster(Sys);
        var a = await cluster.StartAsync("a");
        var b1 = await cluster.StartAsync("b", s => s with { Generation = 1_000, InitialState = new Dictionary<string, string> { ["old"] = "1" } }, a.Address);
        AwaitAssert(() => Assert.Equal("1", a.Lookup("b", "old")), Generous);
        var events = CreateTestProbe();
        await a.SubscribeAsync(events);

        await b1.StopAsync();
        await cluster.StartAsync("b", s => s with { Generation = 2_000, InitialState = new Dictionary<string, string> { ["new"] = "2" } }, a.Address);

        var restarted = (PeerEvent.Restarted)events.FishForMessage(m => m is PeerEvent.Restarted { PeerId: "b" }, Generous);
        Assert.Equal(1_000, restarted.OldGeneration);
        Assert.Equal(2_000, restarted.NewGeneration);
        AwaitAssert(() =>
        {
            Assert.Equal("2", a.Lookup("b", "new"));
            Assert.Null(a.Lookup("b", "old"));
            Assert.Equal(2_000, a.View.Peers["b"].Generation);
        }, Generous);
    }

    [Fact]
    public async Task Sixteen_nodes_in_one_process_converge()
    {
        await using var cluster = new LocalCluster(Sys);
        var first = await cluster.StartAsync("n00");
        for (var i = 1; i < 16; i++)
            await cluster.StartAsync($"n{i:D2}", seeds: first.Address);
        foreach (var node in cluster.Nodes)
            node.UpdateLocal("owner", node.NodeId);

        AwaitAssert(() =>
        {
            foreach (var node in cluster.Nodes)
            {
                Assert.Equal(15, node.View.LivePeers.Count());
                foreach (var other in cluster.Nodes)
                    Assert.Equal(other.NodeId, node.Lookup(other.NodeId, "owner"));
            }
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
    }
}
