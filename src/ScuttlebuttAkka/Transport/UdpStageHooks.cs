using System.Net;
using System.Net.Sockets;

namespace ScuttlebuttAkka.Transport;

/// <summary>Reads one datagram from <paramref name="socket"/> into <paramref name="buffer"/>: the stage's receive, replaceable by tests.</summary>
internal delegate ValueTask<SocketReceiveFromResult> ReceiveFrom(Socket socket, Memory<byte> buffer, EndPoint anySender, CancellationToken cancellation);

/// <summary>
/// Seams for tests: watch each materialization's receive loop, or stand in for the socket's receive to inject the
/// errors a platform produces (Linux reports no ICMP errors on an unconnected UDP socket, Windows does).
/// </summary>
internal sealed record UdpStageHooks
{
    /// <summary>Handed the receive loop's task once the socket is bound.</summary>
    public Action<Task>? ReceiveLoopStarted { get; init; }

    /// <summary>Called instead of <see cref="Socket.ReceiveFromAsync(Memory{byte}, SocketFlags, EndPoint, CancellationToken)"/> when set.</summary>
    public ReceiveFrom? Receive { get; init; }
}
