using System.Net;
using System.Net.Sockets;

namespace ScuttlebuttAkka.Transport;

/// <summary>Reads one datagram from a readable <paramref name="socket"/> into <paramref name="buffer"/>: the stage's receive, replaceable by tests.</summary>
internal delegate (int Length, EndPoint Sender) ReceiveFrom(Socket socket, byte[] buffer);

/// <summary>
/// Seams for tests: watch each materialization's receiving, or stand in for the socket's receive to inject the
/// errors a platform produces (Linux reports no ICMP errors on an unconnected UDP socket, Windows does).
/// </summary>
internal sealed record UdpStageHooks
{
    /// <summary>Handed, once the socket is bound, a task that completes when the socket loop has stopped watching the socket and closed it.</summary>
    public Action<Task>? ReceiveLoopStarted { get; init; }

    /// <summary>Called on the socket loop instead of <see cref="Socket.ReceiveFrom(byte[], SocketFlags, ref EndPoint)"/> when set.</summary>
    public ReceiveFrom? Receive { get; init; }
}
