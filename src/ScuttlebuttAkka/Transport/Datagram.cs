using System.Net;

namespace ScuttlebuttAkka.Transport;

/// <summary>One UDP datagram: its payload and the remote endpoint (the source when received, the destination when sent).</summary>
/// <param name="Payload">The bytes; owned by the datagram (never a view into a reused receive buffer).</param>
/// <param name="Remote">The other side.</param>
internal sealed record Datagram(ReadOnlyMemory<byte> Payload, EndPoint Remote);
