using System.Net;
using System.Net.Sockets;
using Akka.Streams.Dsl;

namespace ScuttlebuttAkka.Transport;

/// <summary>UDP as an Akka.Streams flow: datagrams in are sent, datagrams received come out.</summary>
internal static class UdpFlow
{
    /// <summary>A flow that binds a UDP socket to <paramref name="bindEndPoint"/> and materializes the bound local endpoint.</summary>
    /// <param name="bindEndPoint">An IPv4 or IPv6 <see cref="IPEndPoint"/>; port 0 picks a free port, reported by the materialized task.</param>
    /// <param name="options">Buffer sizes, limits and counters; <see cref="UdpFlowOptions.Default"/> when null.</param>
    /// <returns>A blueprint: every materialization binds its own socket.</returns>
    /// <remarks>
    /// Each materialization opens a socket of the endpoint's address family and binds it when the stage starts; the
    /// materialized task then completes with the bound endpoint (its port resolved), or faults with a <see
    /// cref="UdpBindException"/> that also fails the stream when the bind is refused. Every element arriving upstream
    /// is sent at once to its <see cref="Datagram.Remote"/> with a non-blocking send, and the next one is pulled
    /// straight away, so upstream is never backpressured by the network: a payload longer than <see
    /// cref="UdpFlowOptions.MaxDatagramBytes"/> is dropped and counted as oversized, and a send the socket refuses
    /// (full send buffer, unreachable destination, an ICMP error reported on that call, a destination of the other
    /// address family) is dropped and counted as a send error. The process's socket loop (one thread shared by every
    /// socket of the process) reads each datagram when the socket is readable and copies its payload into a new array, so a datagram emitted downstream never changes afterwards;
    /// datagrams wait in a queue of at most <see cref="UdpFlowOptions.InboundBufferSize"/> until downstream pulls, and
    /// whatever arrives while that queue is full is dropped and counted, so a slow consumer costs datagrams, not
    /// memory. A failed receive (on Windows, the ICMP port unreachable caused by an earlier send to a closed port;
    /// Linux reports none on an unconnected socket) is counted and receiving goes on, with a short pause only after ten
    /// failures in a row so that a persistently failing socket cannot spin: no network condition fails the stream. When
    /// upstream completes the flow keeps receiving; it stops when downstream cancels (for example through a kill
    /// switch) or upstream fails. On stop the socket loop stops watching the socket, then closes it and releases its
    /// port, and is guaranteed never to call back into the stopped stage; datagrams still queued are discarded.
    /// </remarks>
    /// <exception cref="ArgumentException">The endpoint is not an IPv4 or IPv6 <see cref="IPEndPoint"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (see <see cref="UdpFlowOptions.Validate"/>).</exception>
    public static Flow<Datagram, Datagram, Task<EndPoint>> Create(EndPoint bindEndPoint, UdpFlowOptions? options = null) =>
        CreateObserved(bindEndPoint, options, hooks: null);

    /// <summary>As the public overload, with test <paramref name="hooks"/> into every materialization.</summary>
    internal static Flow<Datagram, Datagram, Task<EndPoint>> CreateObserved(EndPoint bindEndPoint, UdpFlowOptions? options, UdpStageHooks? hooks)
    {
        ArgumentNullException.ThrowIfNull(bindEndPoint);
        if (bindEndPoint is not IPEndPoint { AddressFamily: AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 } ip)
            throw new ArgumentException($"A UDP flow binds an IPv4 or IPv6 IPEndPoint, not '{bindEndPoint}'.", nameof(bindEndPoint));
        var validated = (options ?? UdpFlowOptions.Default).Validate();
        // IPEndPoint is mutable: keep a private copy so later changes by the caller cannot move the socket.
        return Flow.FromGraph(new UdpStage(new IPEndPoint(ip.Address, ip.Port), validated, hooks));
    }
}
