using System.Net;
using Akka.Streams.Dsl;

namespace ScuttlebuttAkka.Transport;

/// <summary>
/// Makes the datagram flow a gossiper runs over: real UDP by default, or a simulated network in tests. The flow
/// materializes the bound local endpoint.
/// </summary>
/// <param name="settings">The node's settings (bind address, buffer sizes, datagram limit).</param>
internal delegate Flow<Datagram, Datagram, Task<EndPoint>> TransportFactory(ScuttlebuttSettings settings);

/// <summary>The transports the library ships.</summary>
internal static class Transports
{
    /// <summary>Real UDP, bound to <see cref="ScuttlebuttSettings.Bind"/>.</summary>
    public static readonly TransportFactory Udp = settings =>
    {
        if (!Protocol.Wire.GossipAddress.TryParseEndPoint(settings.Bind, out var endPoint))
            throw new ArgumentException($"Bind must be an IP literal and port; got '{settings.Bind}'.", nameof(settings));
        return UdpFlow.Create(endPoint!, new UdpFlowOptions
        {
            ReceiveBufferBytes = settings.ReceiveBufferBytes,
            SendBufferBytes = settings.SendBufferBytes,
            MaxDatagramBytes = settings.MaxDatagramBytes,
        });
    };
}
