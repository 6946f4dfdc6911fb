namespace ScuttlebuttAkka.Transport;

/// <summary>
/// Running totals of what a UDP flow received, sent and dropped. Safe to read from any thread while the flow runs;
/// one instance may be shared by several flows to add them up.
/// </summary>
internal sealed class TransportCounters
{
    private long _datagramsIn;
    private long _bytesIn;
    private long _datagramsOut;
    private long _bytesOut;
    private long _sendErrors;
    private long _receiveErrors;
    private long _droppedOversized;
    private long _droppedInboundOverflow;

    /// <summary>Datagrams read from the socket, including those later dropped because the inbound buffer was full.</summary>
    public long DatagramsIn => Interlocked.Read(ref _datagramsIn);

    /// <summary>Payload bytes of the datagrams counted by <see cref="DatagramsIn"/>.</summary>
    public long BytesIn => Interlocked.Read(ref _bytesIn);

    /// <summary>Datagrams the socket accepted for sending.</summary>
    public long DatagramsOut => Interlocked.Read(ref _datagramsOut);

    /// <summary>Payload bytes of the datagrams counted by <see cref="DatagramsOut"/>.</summary>
    public long BytesOut => Interlocked.Read(ref _bytesOut);

    /// <summary>Sends the socket refused (full send buffer, unreachable or invalid destination, a reported ICMP error, ...).</summary>
    public long SendErrors => Interlocked.Read(ref _sendErrors);

    /// <summary>Receives that failed (on Windows typically the ICMP port unreachable of an earlier send; Linux reports none on an unconnected socket).</summary>
    public long ReceiveErrors => Interlocked.Read(ref _receiveErrors);

    /// <summary>Outgoing datagrams dropped unsent because their payload exceeded the maximum datagram size.</summary>
    public long DroppedOversized => Interlocked.Read(ref _droppedOversized);

    /// <summary>Received datagrams dropped because downstream was slow and the inbound buffer was full.</summary>
    public long DroppedInboundOverflow => Interlocked.Read(ref _droppedInboundOverflow);

    internal void AddReceived(int bytes)
    {
        Interlocked.Increment(ref _datagramsIn);
        Interlocked.Add(ref _bytesIn, bytes);
    }

    internal void AddSent(int bytes)
    {
        Interlocked.Increment(ref _datagramsOut);
        Interlocked.Add(ref _bytesOut, bytes);
    }

    internal void IncrementSendErrors() => Interlocked.Increment(ref _sendErrors);

    internal void IncrementReceiveErrors() => Interlocked.Increment(ref _receiveErrors);

    internal void IncrementDroppedOversized() => Interlocked.Increment(ref _droppedOversized);

    internal void IncrementDroppedInboundOverflow() => Interlocked.Increment(ref _droppedInboundOverflow);

    /// <summary>A one-line summary of every counter, for logs and test output.</summary>
    public override string ToString() =>
        $"in {DatagramsIn} datagrams / {BytesIn} B, out {DatagramsOut} datagrams / {BytesOut} B, " +
        $"send errors {SendErrors}, receive errors {ReceiveErrors}, dropped oversized {DroppedOversized}, " +
        $"dropped inbound overflow {DroppedInboundOverflow}";
}
