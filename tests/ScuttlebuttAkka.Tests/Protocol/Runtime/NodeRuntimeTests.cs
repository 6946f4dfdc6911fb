using System.Net;
using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Runtime;
using ScuttlebuttAkka.Protocol.Wire;
using ScuttlebuttAkka.Tests.Protocol.Reconciliation;

namespace ScuttlebuttAkka.Tests.Protocol.Runtime;

/// <summary>
/// The node runtime alone, fed by hand: what each input asks its driver to do. Two runtimes talk by passing the bytes
/// one produced to the other, so every exchange goes through the real codec; time is whatever the test says.
/// </summary>
public sealed class NodeRuntimeTests
{
    private static readonly IPEndPoint EndA = new(IPAddress.Loopback, 7001);
    private static readonly IPEndPoint EndB = new(IPAddress.Loopback, 7002);

    private static ScuttlebuttSettings Settings(string id) => ScuttlebuttSettings.Local with
    {
        NodeId = id,
        ClusterName = "runtime-tests",
        InitialState = new Dictionary<string, string> { ["role"] = id },
    };

    private static NodeRuntime Start(string id, IPEndPoint at, long generation = 1, int seed = 1, RuntimeTelemetry? telemetry = null) =>
        new(Settings(id), generation, GossipAddress.Format(at), 0, new Random(seed), new NodeRuntimeOptions { Telemetry = telemetry });

    /// <summary>Delivers every datagram <paramref name="from"/>'s last input produced to <paramref name="to"/>, and the replies back, until both are quiet.</summary>
    private static void Settle(NodeRuntime from, IPEndPoint fromAt, NodeRuntime to, IPEndPoint toAt, long nowMs)
    {
        var pending = new Queue<(NodeRuntime To, IPEndPoint From, byte[] Payload)>();
        void Take(NodeRuntime sender, IPEndPoint senderAt)
        {
            foreach (var d in sender.Output.Datagrams)
            {
                if (d.To.Equals(toAt))
                    pending.Enqueue((to, senderAt, d.Payload));
                else if (d.To.Equals(fromAt))
                    pending.Enqueue((from, senderAt, d.Payload));
            }
        }

        Take(from, fromAt);
        for (var i = 0; i < 100 && pending.Count > 0; i++)
        {
            var (target, source, payload) = pending.Dequeue();
            target.Receive(payload, source, nowMs);
            Take(target, target == to ? toAt : fromAt);
        }
    }

    [Fact]
    public void A_node_alone_asks_for_seeds_and_sends_its_digest_to_them()
    {
        var a = Start("a", EndA);
        Assert.True(a.Output.ViewChanged);
        Assert.Equal("a", a.View.Peers["a"].Values["role"].Value);

        a.Tick(0);
        Assert.True(a.Output.SeedsRequested);
        Assert.Empty(a.Output.Datagrams);

        a.SeedsResolved([GossipAddress.Format(EndB), GossipAddress.Format(EndA), "not an address"], 1);
        var sent = Assert.Single(a.Output.Datagrams);
        Assert.Equal(EndB, sent.To);
        Assert.Equal(DropReason.None, Settings("a").CreateCodec().TryDecode(sent.Payload, out var message));
        Assert.IsType<DigestRequest>(message);
    }

    [Fact]
    public void Two_runtimes_exchanging_bytes_learn_each_other_and_report_it_as_events()
    {
        var a = Start("a", EndA);
        var b = Start("b", EndB, seed: 2);
        a.Tick(0);
        a.SeedsResolved([GossipAddress.Format(EndB)], 0);
        Settle(a, EndA, b, EndB, 10);

        Assert.Equal(["a", "b"], a.State.Nodes.Keys.Order());
        Assert.Equal(["a", "b"], b.State.Nodes.Keys.Order());
        Assert.Equal("b", a.View.Peers["b"].Values["role"].Value);
        Assert.Equal(PeerStatus.Alive, a.StatusOf("b"));
        Assert.Null(a.StatusOf("a"));
    }

    [Fact]
    public void The_same_inputs_give_the_same_outputs_byte_for_byte()
    {
        static List<string> Run()
        {
            var a = Start("a", EndA, seed: 9);
            var b = Start("b", EndB, seed: 10);
            var trace = new List<string>();
            a.Tick(0);
            a.SeedsResolved([GossipAddress.Format(EndB)], 0);
            Settle(a, EndA, b, EndB, 5);
            for (var t = 100; t <= 1000; t += 100)
            {
                a.Write("k", t.ToString(System.Globalization.CultureInfo.InvariantCulture), null, t);
                trace.AddRange(a.Output.Datagrams.Select(d => Convert.ToHexString(d.Payload)));
                a.Tick(t);
                trace.AddRange(a.Output.Datagrams.Select(d => Convert.ToHexString(d.Payload)));
                Settle(a, EndA, b, EndB, t + 1);
                b.Tick(t + 50);
                trace.AddRange(b.Output.Datagrams.Select(d => Convert.ToHexString(d.Payload)));
                Settle(b, EndB, a, EndA, t + 51);
            }

            return trace;
        }

        var first = Run();
        Assert.True(first.Count > 20);
        Assert.Equal(first, Run());
    }

    [Fact]
    public void A_heartbeat_alone_changes_no_entry_of_the_view()
    {
        var a = Start("a", EndA);
        var b = Start("b", EndB, seed: 2);
        a.Tick(0);
        a.SeedsResolved([GossipAddress.Format(EndB)], 0);
        Settle(a, EndA, b, EndB, 10);

        // Rounds with nothing written: heartbeats move, and nothing a reader of the view sees changes.
        for (var t = 100; t <= 500; t += 100)
        {
            b.Tick(t);
            var digest = Assert.Single(b.Output.Datagrams);
            a.Receive(digest.Payload, EndB, t + 1);
            Assert.False(a.Output.ViewChanged);
            Assert.Empty(a.Output.ChangedPeers);
            Assert.Empty(a.Output.Events);
        }

        Assert.True(a.State.Nodes["b"].Heartbeat >= 5);
    }

    [Fact]
    public void Hostile_bytes_are_dropped_and_counted_never_thrown_and_change_nothing()
    {
        var telemetry = new CountingTelemetry();
        var a = Start("a", EndA, telemetry: telemetry);
        var before = ExchangeHarness.Fingerprint(a.State);

        a.Receive([], EndB, 1);
        a.Receive([0x53, 0x42, 0x01], EndB, 2);
        a.Receive(new byte[2000], EndB, 3);
        a.Receive(new DatagramCodec("another-cluster", 1400).Encode(new LeaveMessage("x", 1)), EndB, 4);

        Assert.Equal(4, telemetry.Received);
        Assert.Equal(4, telemetry.Dropped);
        Assert.Empty(a.Output.Datagrams);
        Assert.Equal(before, ExchangeHarness.Fingerprint(a.State));
    }

    [Fact]
    public void A_bad_write_throws_with_a_clear_message_and_changes_nothing()
    {
        var a = Start("a", EndA);
        var version = a.State.Self.MaxVersion;

        var empty = Assert.Throws<ArgumentException>(() => a.Write("", "v", null, 1));
        Assert.Contains("key", empty.Message, StringComparison.OrdinalIgnoreCase);
        Assert.ThrowsAny<ArgumentException>(() => a.Write("k", new string('x', 10_000), null, 1));
        Assert.ThrowsAny<ArgumentException>(() => a.Write("k", "v", TimeSpan.Zero, 1));

        Assert.Equal(version, a.State.Self.MaxVersion);
        Assert.Empty(a.Output.Datagrams);
    }

    [Fact]
    public void A_leave_tells_the_peers_and_completes_after_the_leave_rounds()
    {
        var a = Start("a", EndA);
        var b = Start("b", EndB, seed: 2);
        a.Tick(0);
        a.SeedsResolved([GossipAddress.Format(EndB)], 0);
        Settle(a, EndA, b, EndB, 10);

        a.Leave(100);
        Assert.True(a.IsLeaving);
        Assert.Contains(a.Output.Datagrams, d => Settings("a").CreateCodec().TryDecode(d.Payload, out var m) == DropReason.None && m is LeaveMessage);
        Assert.Equal(PeerStatus.Left, a.View.Peers["a"].Status);
        var rounds = 0;
        while (!a.HasStopped && rounds < 20)
        {
            a.Tick(200 + (rounds * 100));
            rounds++;
        }

        Assert.True(a.Output.LeaveCompleted);
        Assert.Equal(Settings("a").LeaveRounds + 1, rounds);
        Assert.Throws<InvalidOperationException>(() => a.Write("k", "v", null, 2000));
        a.Tick(3000);
        Assert.Empty(a.Output.Datagrams);
    }

    /// <summary>
    /// A node restarted under the same fixed generation: its peer holds the first incarnation at a higher version and
    /// heartbeat, which the node itself never wrote. It takes the next generation, keeps its live keys, and the peer
    /// replaces the old incarnation with it.
    /// </summary>
    [Fact]
    public void A_node_that_hears_of_itself_ahead_of_what_it_wrote_takes_the_next_generation()
    {
        var a = Start("a", EndA, generation: 50);
        var b = Start("b", EndB, seed: 2);
        a.Tick(0);
        a.SeedsResolved([GossipAddress.Format(EndB)], 0);
        Settle(a, EndA, b, EndB, 10);
        for (var i = 0; i < 5; i++)
            a.Write("k" + i, "v", null, 20);
        a.Tick(30);
        Settle(a, EndA, b, EndB, 31);
        Assert.Equal(a.State.Self.MaxVersion, b.State.Nodes["a"].MaxVersion);

        var again = Start("a", EndA, generation: 50, seed: 3);
        again.Write("fresh", "yes", TimeSpan.FromMinutes(1), 40);
        again.Tick(50);
        again.SeedsResolved([GossipAddress.Format(EndB)], 50);
        var changed = false;
        var pending = again.Output.Datagrams.ToList();
        for (var hop = 0; hop < 10 && pending.Count > 0; hop++)
        {
            var next = new List<OutgoingDatagram>();
            foreach (var d in pending)
            {
                if (d.To.Equals(EndB))
                {
                    b.Receive(d.Payload, EndA, 60);
                    next.AddRange(b.Output.Datagrams);
                }
                else
                {
                    again.Receive(d.Payload, EndB, 60);
                    changed |= again.Output.GenerationChanged;
                    next.AddRange(again.Output.Datagrams);
                }
            }

            pending = next;
        }

        Assert.True(changed);
        Assert.Equal(51, again.Generation);
        Assert.True(again.State.Self.TryGet("fresh", out var fresh) && fresh.Value == "yes");
        Assert.True(again.State.Self.TryGet("role", out _));
        again.Tick(100);
        Settle(again, EndA, b, EndB, 101);
        Assert.Equal(51, b.State.Nodes["a"].Generation);
        Assert.True(b.State.Nodes["a"].TryGet("fresh", out var seen) && seen.Value == "yes");
        Assert.False(b.State.Nodes["a"].TryGet("k0", out _));
    }

    private sealed class CountingTelemetry : RuntimeTelemetry
    {
        public int Received { get; private set; }

        public int Dropped { get; private set; }

        public override void DatagramReceived(int bytes) => Received++;

        public override void DatagramDropped(DropReason reason) => Dropped++;
    }
}
