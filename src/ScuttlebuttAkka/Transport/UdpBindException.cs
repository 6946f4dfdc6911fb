using System.Net;
using System.Net.Sockets;

namespace ScuttlebuttAkka.Transport;

/// <summary>A UDP flow could not bind its socket; the inner <see cref="SocketException"/> says why.</summary>
public sealed class UdpBindException : IOException
{
    /// <summary>Creates the exception for a failed bind to <paramref name="endPoint"/>.</summary>
    public UdpBindException(EndPoint endPoint, SocketException inner)
        : base($"Could not bind a UDP socket to {endPoint}: {inner.Message} ({inner.SocketErrorCode}).", inner)
    {
        EndPoint = endPoint;
        SocketErrorCode = inner.SocketErrorCode;
    }

    /// <summary>The endpoint the flow tried to bind.</summary>
    public EndPoint EndPoint { get; }

    /// <summary>Why the bind failed, e.g. <see cref="SocketError.AddressAlreadyInUse"/> or <see cref="SocketError.AddressNotAvailable"/>.</summary>
    public SocketError SocketErrorCode { get; }
}
