using System.Net;
using System.Net.Sockets;

namespace ScuttlebuttAkka.Tests.EndToEnd;

/// <summary>A bare UDP socket on loopback playing an outsider: sends any bytes to a node and reads what comes back.</summary>
internal sealed class RawUdpPeer : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly byte[] _buffer = new byte[65536];

    public RawUdpPeer()
    {
        // Large enough that replies to a burst are not lost before they are read.
        _socket.ReceiveBufferSize = 4 * 1024 * 1024;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    }

    public EndPoint LocalEndPoint => _socket.LocalEndPoint!;

    public void Send(byte[] datagram, EndPoint to) => _socket.SendTo(datagram, to);

    /// <summary>The next datagram received; fails the test if none comes within a generous wait.</summary>
    public async Task<byte[]> ReceiveAsync()
    {
        using var cts = new CancellationTokenSource(Patience);
        var result = await _socket.ReceiveFromAsync(_buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cts.Token);
        return _buffer.AsSpan(0, result.ReceivedBytes).ToArray();
    }

    public void Dispose() => _socket.Dispose();
}
