using System.Net;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using ScuttlebuttAkka.Simulation;
using ScuttlebuttAkka.Transport;

namespace ScuttlebuttAkka.Tests.Simulation;

/// <summary>
/// The in-memory transport under real gossipers: the flow contract first (addresses, bytes, limits, partitions), then
/// whole clusters over it. Cluster tests run in real time with generous timeouts and assert outcomes, never timings.
/// </summary>
public sealed class SimulatedNetworkTests : TestKit
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private sealed record Endpoint(IActorRef Outbound, TestProbe Inbound, IPEndPoint Address, UniqueKillSwitch KillSwitch);

    private Endpoint Open(SimulatedNetwork network, string nodeId, string bind = "127.0.0.1:0")
    {
        var probe = CreateTestProbe();
        var settings = ScuttlebuttSettings.Local with { NodeId = nodeId, Bind = bind };
        var ((outbound, bound), killSwitch) = Source.ActorRef<Datagram>(100, OverflowStrategy.DropHead)
            .ViaMaterialized(network.Transport(settings), Keep.Both)
            .ViaMaterialized(KillSwitches.Single<Datagram>(), Keep.Both)
            .To(Sink.ActorRef<Datagram>(probe, "completed", ex => ex))
            .Run(Sys.Materializer());
        var address = (IPEndPoint)(bound.Wait(TimeSpan.FromSeconds(5)) ? bound.Result : throw new TimeoutException("the simulated transport did not bind"));
        return new Endpoint(outbound, probe, address, killSwitch);
    }

    private static SimulatedNetwork Network(ActorSystem system, LinkFaults? faults = null, int maxDatagramBytes = 1472) =>
        new(system, new SimulatedNetworkOptions { Seed = 7, Faults = faults ?? LinkFaults.None, MaxDatagramBytes = maxDatagramBytes });

    [Fact]
    public void Each_node_binds_its_own_simulated_address_and_datagrams_carry_the_bytes_and_the_sender()
    {
        var network = Network(Sys);
        var a = Open(network, "a");
        var b = Open(network, "b", bind: "0.0.0.0:9000");

        Assert.Equal(IPEndPoint.Parse("127.1.0.1:7474"), a.Address);
        Assert.Equal(IPEndPoint.Parse("127.1.0.2:9000"), b.Address);
        Assert.Equal(a.Address, network.AddressOf("a"));

        a.Outbound.Tell(new Datagram(new byte[] { 1, 2, 3 }, b.Address));

        var received = b.Inbound.ExpectMsg<Datagram>();
        Assert.Equal(new byte[] { 1, 2, 3 }, received.Payload.ToArray());
        Assert.Equal(a.Address, received.Remote);
        Assert.Equal(1, network.StatisticsOf("a", "b").Delivered);
    }

    [Fact]
    public void An_oversized_datagram_is_dropped_and_counted()
    {
        var network = Network(Sys, maxDatagramBytes: 100);
        var a = Open(network, "a");
        var b = Open(network, "b");

        a.Outbound.Tell(new Datagram(new byte[101], b.Address));
        a.Outbound.Tell(new Datagram(new byte[100], b.Address));

        Assert.Equal(100, b.Inbound.ExpectMsg<Datagram>().Payload.Length);
        b.Inbound.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal(1, network.StatisticsOf("a", "b").Oversized);
    }

    [Fact]
    public void A_one_way_partition_blocks_one_direction_until_healed()
    {
        var network = Network(Sys);
        var a = Open(network, "a");
        var b = Open(network, "b");
        network.Partition(["a"], ["b"], PartitionDirection.OneWay);

        a.Outbound.Tell(new Datagram(new byte[] { 1 }, b.Address));
        b.Outbound.Tell(new Datagram(new byte[] { 2 }, a.Address));

        Assert.Equal(2, a.Inbound.ExpectMsg<Datagram>().Payload.Span[0]);
        b.Inbound.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal(1, network.StatisticsOf("a", "b").Blocked);

        network.Heal();
        a.Outbound.Tell(new Datagram(new byte[] { 3 }, b.Address));

        Assert.Equal(3, b.Inbound.ExpectMsg<Datagram>().Payload.Span[0]);
    }

    [Fact]
    public void Delayed_and_duplicated_datagrams_arrive_through_the_scheduler()
    {
        var network = Network(Sys, new LinkFaults { Duplication = 1, Delay = DelayDistribution.Uniform(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(80)) });
        var a = Open(network, "a");
        var b = Open(network, "b");

        a.Outbound.Tell(new Datagram(new byte[] { 9 }, b.Address));

        Assert.Equal(9, b.Inbound.ExpectMsg<Datagram>().Payload.Span[0]);
        Assert.Equal(9, b.Inbound.ExpectMsg<Datagram>().Payload.Span[0]);
        Assert.Equal(1, network.StatisticsOf("a", "b").Duplicated);
    }

    [Fact]
    public void A_datagram_to_an_address_where_nothing_listens_is_counted_as_undeliverable()
    {
        var network = Network(Sys);
        var a = Open(network, "a");
        var b = Open(network, "b");
        b.KillSwitch.Shutdown();
        AwaitAssert(() =>
        {
            a.Outbound.Tell(new Datagram(new byte[] { 1 }, b.Address));
            Assert.True(network.StatisticsOf("a", "b").Undeliverable > 0);
        }, TimeSpan.FromSeconds(5));

        a.Outbound.Tell(new Datagram(new byte[] { 1 }, IPEndPoint.Parse("127.9.9.9:1")));

        AwaitAssert(() => Assert.Equal(1, network.StatisticsOf("a", "127.9.9.9:1").Undeliverable), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_node_id_binds_once_at_a_time_and_gets_its_address_back_after_a_restart()
    {
        var network = Network(Sys);
        var first = Open(network, "a");

        Assert.ThrowsAny<Exception>(() => Open(network, "a"));

        first.KillSwitch.Shutdown();
        Endpoint? again = null;
        AwaitAssert(() => again = Open(network, "a"), TimeSpan.FromSeconds(5));
        Assert.Equal(first.Address, again!.Address);
    }

    [Fact]
    public async Task Ten_nodes_converge_under_twenty_percent_loss()
    {
        var network = Network(Sys, new LinkFaults { Loss = 0.2, Delay = DelayDistribution.Uniform(TimeSpan.Zero, TimeSpan.FromMilliseconds(30)) });
        var nodes = new List<ScuttlebuttNode>();
        try
        {
            var first = await ScuttlebuttNode.StartAsync(Sys, NodeSettings("n0"), network.Transport);
            nodes.Add(first);
            for (var i = 1; i < 10; i++)
                nodes.Add(await ScuttlebuttNode.StartAsync(Sys, NodeSettings($"n{i}", first.Address), network.Transport));
            foreach (var node in nodes)
                node.UpdateLocal("owner", node.NodeId);

            AwaitAssert(() =>
            {
                foreach (var node in nodes)
                {
                    Assert.Equal(9, node.View.LivePeers.Count());
                    foreach (var other in nodes)
                        Assert.Equal(other.NodeId, node.Lookup(other.NodeId, "owner"));
                }
            }, Generous, TimeSpan.FromMilliseconds(200));
            Assert.True(network.Totals().Lost > 0, "the network must have lost datagrams on the way");
        }
        finally
        {
            foreach (var node in nodes)
                await node.StopAsync();
        }
    }

    [Fact]
    public async Task A_two_way_partition_is_detected_and_heals_with_the_writes_of_both_sides()
    {
        var network = Network(Sys);
        var events = CreateTestProbe();
        var nodes = new List<ScuttlebuttNode>();
        try
        {
            var a = await ScuttlebuttNode.StartAsync(Sys, NodeSettings("a"), network.Transport);
            nodes.Add(a);
            foreach (var id in new[] { "b", "c", "d" })
                nodes.Add(await ScuttlebuttNode.StartAsync(Sys, NodeSettings(id, a.Address), network.Transport));
            await a.SubscribeAsync(events);
            AwaitAssert(() => Assert.All(nodes, n => Assert.Equal(3, n.View.LivePeers.Count())), Generous);

            network.Partition(["a", "b"], ["c", "d"]);
            events.FishForMessage(m => m is PeerEvent.Down { PeerId: "c" or "d" }, Generous);
            nodes[0].UpdateLocal("side", "left");
            nodes[3].UpdateLocal("side", "right");
            AwaitAssert(() => Assert.Equal("right", nodes[2].Lookup("d", "side")), Generous);
            Assert.Null(nodes[0].Lookup("d", "side"));

            network.Heal();

            AwaitAssert(() =>
            {
                foreach (var node in nodes)
                {
                    Assert.Equal(3, node.View.LivePeers.Count());
                    Assert.Equal("left", node.Lookup("a", "side"));
                    Assert.Equal("right", node.Lookup("d", "side"));
                }
            }, Generous, TimeSpan.FromMilliseconds(200));
            Assert.True(network.Totals().Blocked > 0);
        }
        finally
        {
            foreach (var node in nodes)
                await node.StopAsync();
        }
    }

    private static ScuttlebuttSettings NodeSettings(string id, params string[] seeds) => ScuttlebuttSettings.Local with
    {
        NodeId = id,
        ClusterName = "simulated",
        Bind = "127.0.0.1:0",
        Seeds = seeds,
        RandomSeed = id.Length * 31 + id[^1],
        Liveness = ScuttlebuttSettings.Local.Liveness with { DownExpiry = TimeSpan.FromMinutes(5) },
        RemovedPeerMemory = TimeSpan.FromMinutes(10),
    };
}
