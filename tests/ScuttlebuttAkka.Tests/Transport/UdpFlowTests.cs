using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using ScuttlebuttAkka.Transport;
using Xunit.Abstractions;

namespace ScuttlebuttAkka.Tests.Transport;

public sealed class UdpFlowTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly IPEndPoint AnyLoopbackPort = new(IPAddress.Loopback, 0);

    private readonly IMaterializer _materializer;
    private readonly ITestOutputHelper _output;

    public UdpFlowTests(ITestOutputHelper output) : base(output: output)
    {
        _output = output;
        _materializer = Sys.Materializer();
    }

    [Fact]
    public async Task Binding_port_zero_materializes_the_resolved_port_and_receives_there()
    {
        var peer = await StartPeer(AnyLoopbackPort);

        Assert.Equal(IPAddress.Loopback, peer.EndPoint.Address);
        Assert.NotEqual(0, peer.EndPoint.Port);

        using var plain = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        plain.Bind(AnyLoopbackPort);
        plain.SendTo("hello"u8, peer.EndPoint);

        peer.Inbox.Request(1);
        var received = await peer.Inbox.ExpectNextAsync(Patience);
        Assert.Equal("hello"u8.ToArray(), received.Payload.ToArray());
        Assert.Equal(plain.LocalEndPoint, received.Remote);
    }

    [Fact]
    public async Task Two_flows_exchange_datagrams_both_ways()
    {
        var a = await StartPeer(AnyLoopbackPort);
        var b = await StartPeer(AnyLoopbackPort);
        a.Inbox.Request(1);
        b.Inbox.Request(1);

        await a.Send([1, 2, 3], b.EndPoint);
        var atB = await b.Inbox.ExpectNextAsync(Patience);
        await b.Send([4, 5], a.EndPoint);
        var atA = await a.Inbox.ExpectNextAsync(Patience);

        Assert.Equal(new byte[] { 1, 2, 3 }, atB.Payload.ToArray());
        Assert.Equal(a.EndPoint, atB.Remote);
        Assert.Equal(new byte[] { 4, 5 }, atA.Payload.ToArray());
        Assert.Equal(b.EndPoint, atA.Remote);
    }

    [Fact]
    public async Task A_burst_queued_behind_a_slow_consumer_arrives_intact_and_each_payload_is_its_own_copy()
    {
        const int count = 64;
        var a = await StartPeer(AnyLoopbackPort);
        var b = await StartPeer(AnyLoopbackPort);
        var rng = new Random(20240611);
        var sent = Enumerable.Range(0, count).Select(i => Payload(i, rng.Next(4, 1400), rng)).ToList();

        // B requests nothing yet, so every datagram is received through the one reused buffer and then waits in the
        // queue: were payloads views into that buffer, they would all show the last datagram's bytes.
        foreach (var payload in sent)
            await a.Send(payload, b.EndPoint);
        await AwaitAssertAsync(() => Assert.Equal(count, b.Counters.DatagramsIn), Patience);

        b.Inbox.Request(count);
        var byIndex = new Dictionary<int, Datagram>();
        for (var i = 0; i < count; i++)
        {
            var datagram = await b.Inbox.ExpectNextAsync(Patience);
            var index = BitConverter.ToInt32(datagram.Payload.Span);
            Assert.Equal(sent[index], datagram.Payload.ToArray());
            // Scribbling over a payload already handed out must not reach the ones still to come.
            MemoryMarshal.AsMemory(datagram.Payload).Span.Fill(0xEE);
            byIndex[index] = datagram;
        }

        Assert.Equal(Enumerable.Range(0, count), byIndex.Keys.Order());
        Assert.Equal(0, b.Counters.DroppedInboundOverflow);
    }

    [Fact]
    public async Task Sending_to_a_closed_port_does_not_stop_the_flow_and_every_send_is_accounted_for()
    {
        var a = await StartPeer(AnyLoopbackPort);
        var b = await StartPeer(AnyLoopbackPort);
        var closed = ClosedPort(IPAddress.Loopback);

        for (var round = 1; round <= 3; round++)
        {
            await a.Send([9, 9, 9], closed);
            if (OperatingSystem.IsWindows())
            {
                // Windows reports the ICMP port unreachable on the unconnected socket; Linux (without IP_RECVERR)
                // and macOS stay silent, which the injected-error tests below stand in for.
                await AwaitAssertAsync(() => Assert.True(a.Counters.SendErrors + a.Counters.ReceiveErrors >= 1), Patience);
            }

            a.Inbox.Request(1);
            b.Inbox.Request(1);
            await a.Send([(byte)round], b.EndPoint);
            Assert.Equal(new[] { (byte)round }, (await b.Inbox.ExpectNextAsync(Patience)).Payload.ToArray());
            await b.Send([(byte)(round + 100)], a.EndPoint);
            Assert.Equal(new[] { (byte)(round + 100) }, (await a.Inbox.ExpectNextAsync(Patience)).Payload.ToArray());
        }

        // A send is counted just after the socket took it, which may be after the peer already received it.
        await AwaitAssertAsync(() => Assert.Equal(6, a.Counters.DatagramsOut + a.Counters.SendErrors), Patience);
        Assert.Equal(3, b.Counters.DatagramsIn);
        _output.WriteLine($"a: {a.Counters}");
    }

    [Fact]
    public async Task Receive_errors_such_as_connection_refused_are_counted_and_receiving_goes_on()
    {
        // Stands in for the ICMP port unreachable that Windows (and Linux with IP_RECVERR) report on the next receive;
        // twelve in a row also runs through the pause after ten consecutive failures. A failed receive reads nothing,
        // so the socket stays readable and the loop tries again until the real receives take the two datagrams.
        const int injected = 12;
        var calls = 0;
        var hooks = new UdpStageHooks
        {
            Receive = (socket, buffer) =>
            {
                var call = Interlocked.Increment(ref calls);
                if (call > injected)
                {
                    EndPoint sender = new IPEndPoint(IPAddress.Any, 0);
                    return (socket.ReceiveFrom(buffer, ref sender), sender);
                }

                var error = call % 2 == 0 ? SocketError.ConnectionRefused : SocketError.ConnectionReset;
                throw new SocketException((int)error);
            },
        };
        var a = await StartPeer(AnyLoopbackPort, hooks: hooks);
        var b = await StartPeer(AnyLoopbackPort);

        a.Inbox.Request(2);
        await b.Send([1], a.EndPoint);
        await b.Send([2], a.EndPoint);

        var received = await a.Inbox.ExpectNextNAsync(2, Patience).Select(d => d.Payload.Span[0]).ToListAsync();
        Assert.Equal(new byte[] { 1, 2 }, received);
        Assert.Equal(injected, a.Counters.ReceiveErrors);
        Assert.Equal(2, a.Counters.DatagramsIn);
    }

    [Fact]
    public async Task A_receive_that_keeps_failing_still_lets_the_stage_stop_and_the_loop_end()
    {
        var hooks = new UdpStageHooks
        {
            Receive = (_, _) => throw new SocketException((int)SocketError.NetworkDown),
        };
        var a = await StartPeer(AnyLoopbackPort, hooks: hooks);
        var b = await StartPeer(AnyLoopbackPort);
        // The failing receive reads nothing, so this one datagram keeps the socket readable for ever.
        await b.Send([1], a.EndPoint);
        // Past ten failures in a row the loop leaves the socket alone between attempts; stopping must not wait for that.
        await AwaitAssertAsync(() => Assert.True(a.Counters.ReceiveErrors > 10), Patience);

        a.Inbox.Cancel();

        await a.ReceiveLoop.WaitAsync(Patience);
        Assert.True(a.ReceiveLoop.IsCompletedSuccessfully);
        await AwaitAssertAsync(() => Assert.True(CanBind(a.EndPoint.Address, a.EndPoint.Port)), Patience);
    }

    [Fact]
    public async Task An_oversized_payload_is_dropped_and_counted_and_a_payload_at_the_limit_is_sent()
    {
        var options = new UdpFlowOptions { MaxDatagramBytes = 1000 };
        var a = await StartPeer(AnyLoopbackPort, options);
        var b = await StartPeer(AnyLoopbackPort);

        await a.Send(new byte[1001], b.EndPoint);
        await a.Send(Payload(7, 1000, new Random(7)), b.EndPoint);

        b.Inbox.Request(1);
        var received = await b.Inbox.ExpectNextAsync(Patience);
        Assert.Equal(1000, received.Payload.Length);
        Assert.Equal(1, a.Counters.DroppedOversized);
        // A send is counted just after the socket took it, which may be after the peer already received it.
        await AwaitAssertAsync(() => Assert.Equal((1, 1000), (a.Counters.DatagramsOut, a.Counters.BytesOut)), Patience);
        Assert.Equal(1, b.Counters.DatagramsIn);
    }

    [Fact]
    public async Task Binding_an_address_in_use_faults_the_materialized_task_and_fails_the_stream()
    {
        var a = await StartPeer(AnyLoopbackPort);

        var (bound, inbox) = StartUnawaited(a.EndPoint, UdpFlowOptions.Default);

        var failure = await Assert.ThrowsAsync<UdpBindException>(() => bound.WaitAsync(Patience));
        Assert.Equal(SocketError.AddressAlreadyInUse, failure.SocketErrorCode);
        Assert.Equal(a.EndPoint, failure.EndPoint);
        Assert.Contains(a.EndPoint.ToString(), failure.Message, StringComparison.Ordinal);
        Assert.IsType<UdpBindException>(await inbox.ExpectSubscriptionAndErrorAsync());
    }

    [Fact]
    public async Task Two_flows_exchange_datagrams_over_IPv6_loopback()
    {
        if (!CanBind(IPAddress.IPv6Loopback))
        {
            _output.WriteLine("::1 cannot be bound on this machine; nothing to test.");
            return;
        }

        var any = new IPEndPoint(IPAddress.IPv6Loopback, 0);
        var a = await StartPeer(any);
        var b = await StartPeer(any);
        Assert.Equal(AddressFamily.InterNetworkV6, a.EndPoint.AddressFamily);
        Assert.NotEqual(0, a.EndPoint.Port);
        a.Inbox.Request(1);
        b.Inbox.Request(1);

        await a.Send([6, 6], b.EndPoint);
        var atB = await b.Inbox.ExpectNextAsync(Patience);
        await b.Send([7], a.EndPoint);
        var atA = await a.Inbox.ExpectNextAsync(Patience);

        Assert.Equal(new byte[] { 6, 6 }, atB.Payload.ToArray());
        Assert.Equal(a.EndPoint, atB.Remote);
        Assert.Equal(new byte[] { 7 }, atA.Payload.ToArray());
        Assert.Equal(b.EndPoint, atA.Remote);
    }

    [Fact]
    public async Task Counters_count_datagrams_and_bytes_in_and_out()
    {
        var a = await StartPeer(AnyLoopbackPort);
        var b = await StartPeer(AnyLoopbackPort);
        var rng = new Random(99);
        var toB = Enumerable.Range(0, 10).Select(i => Payload(i, rng.Next(4, 600), rng)).ToList();
        var toA = Enumerable.Range(0, 4).Select(i => Payload(i, rng.Next(4, 600), rng)).ToList();
        b.Inbox.Request(toB.Count);
        a.Inbox.Request(toA.Count);

        foreach (var payload in toB)
            await a.Send(payload, b.EndPoint);
        foreach (var payload in toA)
            await b.Send(payload, a.EndPoint);
        await b.Inbox.ExpectNextNAsync(toB.Count, Patience).ToListAsync();
        await a.Inbox.ExpectNextNAsync(toA.Count, Patience).ToListAsync();

        long bytesToB = toB.Sum(p => p.Length), bytesToA = toA.Sum(p => p.Length);
        // A send is counted just after the socket took it, which may be after the peer already received it.
        await AwaitAssertAsync(() => Assert.Equal((toB.Count, bytesToB), (a.Counters.DatagramsOut, a.Counters.BytesOut)), Patience);
        await AwaitAssertAsync(() => Assert.Equal((toA.Count, bytesToA), (b.Counters.DatagramsOut, b.Counters.BytesOut)), Patience);
        Assert.Equal((toB.Count, bytesToB), (b.Counters.DatagramsIn, b.Counters.BytesIn));
        Assert.Equal((toA.Count, bytesToA), (a.Counters.DatagramsIn, a.Counters.BytesIn));
        Assert.Equal(0, a.Counters.SendErrors + a.Counters.ReceiveErrors + b.Counters.SendErrors + b.Counters.ReceiveErrors);
    }

    [Fact]
    public async Task Datagrams_beyond_the_inbound_buffer_are_dropped_and_counted_while_downstream_is_slow()
    {
        var a = await StartPeer(AnyLoopbackPort);
        var b = await StartPeer(AnyLoopbackPort, new UdpFlowOptions { InboundBufferSize = 4 });

        for (var i = 0; i < 10; i++)
            await a.Send([(byte)i], b.EndPoint);
        await AwaitAssertAsync(() => Assert.Equal((10, 6), (b.Counters.DatagramsIn, b.Counters.DroppedInboundOverflow)), Patience);

        // The four that fit come out in order; a later marker comes right after them, so nothing else was kept.
        b.Inbox.Request(5);
        var kept = await b.Inbox.ExpectNextNAsync(4, Patience).Select(d => d.Payload.Span[0]).ToListAsync();
        Assert.Equal(new byte[] { 0, 1, 2, 3 }, kept);
        await a.Send([200], b.EndPoint);
        Assert.Equal(200, (await b.Inbox.ExpectNextAsync(Patience)).Payload.Span[0]);
        Assert.Equal(6, b.Counters.DroppedInboundOverflow);
    }

    [Fact]
    public async Task When_upstream_completes_the_flow_keeps_receiving()
    {
        var a = await StartPeer(AnyLoopbackPort);
        var b = await StartPeer(AnyLoopbackPort);

        a.Outbox.Complete();
        await a.Outbox.WatchCompletionAsync().WaitAsync(Patience);

        a.Inbox.Request(1);
        await b.Send([42], a.EndPoint);
        Assert.Equal(42, (await a.Inbox.ExpectNextAsync(Patience)).Payload.Span[0]);
    }

    [Fact]
    public async Task When_downstream_cancels_the_receive_loop_ends_and_the_port_is_released()
    {
        var a = await StartPeer(AnyLoopbackPort);
        var b = await StartPeer(AnyLoopbackPort);
        a.Inbox.Request(1);
        await b.Send([1], a.EndPoint);
        await a.Inbox.ExpectNextAsync(Patience);

        a.Inbox.Cancel();

        await a.ReceiveLoop.WaitAsync(Patience);
        Assert.True(a.ReceiveLoop.IsCompletedSuccessfully);
        // The stage completed, which cancels its upstream.
        await a.Outbox.WatchCompletionAsync().WaitAsync(Patience);
        await AwaitAssertAsync(() => Assert.True(CanBind(a.EndPoint.Address, a.EndPoint.Port)), Patience);
    }

    [Fact]
    public async Task Destinations_the_socket_cannot_reach_are_counted_as_send_errors_and_sending_goes_on()
    {
        var a = await StartPeer(AnyLoopbackPort);
        var b = await StartPeer(AnyLoopbackPort);

        await a.Send([1], new IPEndPoint(IPAddress.IPv6Loopback, b.EndPoint.Port));
        await a.Send([2], new DnsEndPoint("localhost", b.EndPoint.Port));
        await AwaitAssertAsync(() => Assert.Equal(2, a.Counters.SendErrors), Patience);

        b.Inbox.Request(1);
        await a.Send([3], b.EndPoint);
        Assert.Equal(3, (await b.Inbox.ExpectNextAsync(Patience)).Payload.Span[0]);
        await AwaitAssertAsync(() => Assert.Equal(1, a.Counters.DatagramsOut), Patience);
        Assert.Equal(2, a.Counters.SendErrors);
    }

    [Fact]
    public void Invalid_endpoints_and_options_fail_fast_with_a_clear_message()
    {
        var dns = Assert.Throws<ArgumentException>(() => UdpFlow.Create(new DnsEndPoint("localhost", 0)));
        Assert.Contains("IPEndPoint", dns.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => UdpFlow.Create(null!));
        var tooLarge = Assert.Throws<ArgumentOutOfRangeException>(() => UdpFlow.Create(AnyLoopbackPort, new UdpFlowOptions { MaxDatagramBytes = 65508 }));
        Assert.Equal(nameof(UdpFlowOptions.MaxDatagramBytes), tooLarge.ParamName);
        var noBuffer = Assert.Throws<ArgumentOutOfRangeException>(() => new UdpFlowOptions { InboundBufferSize = 0 }.Validate());
        Assert.Equal(nameof(UdpFlowOptions.InboundBufferSize), noBuffer.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new UdpFlowOptions { ReceiveBufferBytes = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new UdpFlowOptions { SendBufferBytes = -1 }.Validate());
    }

    /// <summary>A payload that starts with its index (so the receiver can tell which one it holds) followed by seeded bytes.</summary>
    private static byte[] Payload(int index, int length, Random rng)
    {
        var bytes = new byte[length];
        rng.NextBytes(bytes);
        BitConverter.TryWriteBytes(bytes, index);
        return bytes;
    }

    /// <summary>A port on which nothing listens: bound to learn a free one, then closed.</summary>
    private static IPEndPoint ClosedPort(IPAddress address)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(address, 0));
        return (IPEndPoint)socket.LocalEndPoint!;
    }

    private static bool CanBind(IPAddress address, int port = 0)
    {
        try
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(address, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private async Task<Peer> StartPeer(IPEndPoint bindTo, UdpFlowOptions? options = null, UdpStageHooks? hooks = null)
    {
        var counters = new TransportCounters();
        var loop = new TaskCompletionSource<Task>(TaskCreationOptions.RunContinuationsAsynchronously);
        hooks = (hooks ?? new UdpStageHooks()) with { ReceiveLoopStarted = t => loop.TrySetResult(t) };
        var flow = UdpFlow.CreateObserved(bindTo, (options ?? UdpFlowOptions.Default) with { Counters = counters }, hooks);
        var ((outbox, bound), inbox) = Source.Queue<Datagram>(64, OverflowStrategy.Backpressure)
            .ViaMaterialized(flow, Keep.Both)
            .ToMaterialized(this.SinkProbe<Datagram>(), Keep.Both)
            .Run(_materializer);
        var endPoint = (IPEndPoint)await bound.WaitAsync(Patience);
        return new Peer(outbox, inbox, endPoint, counters, await loop.Task.WaitAsync(Patience));
    }

    private (Task<EndPoint> Bound, TestSubscriber.Probe<Datagram> Inbox) StartUnawaited(IPEndPoint bindTo, UdpFlowOptions options) =>
        Source.Empty<Datagram>()
            .ViaMaterialized(UdpFlow.Create(bindTo, options), Keep.Right)
            .ToMaterialized(this.SinkProbe<Datagram>(), Keep.Both)
            .Run(_materializer);

    /// <summary>One materialized flow under test: a queue to send through, a probe to receive with, and what it exposes.</summary>
    private sealed record Peer(
        ISourceQueueWithComplete<Datagram> Outbox,
        TestSubscriber.Probe<Datagram> Inbox,
        IPEndPoint EndPoint,
        TransportCounters Counters,
        Task ReceiveLoop)
    {
        public async Task Send(byte[] payload, EndPoint to)
        {
            var result = await Outbox.OfferAsync(new Datagram(payload, to));
            Assert.IsType<QueueOfferResult.Enqueued>(result);
        }
    }
}
