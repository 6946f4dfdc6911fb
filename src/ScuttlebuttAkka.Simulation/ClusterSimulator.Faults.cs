using System.Net;

namespace ScuttlebuttAkka.Simulation;

// Faults of the nodes themselves, beside the network's: a stall, a wall clock that is off or jumps, and raw traffic
// captured, injected and replayed.
public sealed partial class ClusterSimulator
{
    private readonly List<DatagramCapture> _captures = new();

    /// <summary>
    /// Node <paramref name="nodeId"/> stalls for <paramref name="duration"/> from now, as in a long garbage collection or
    /// a suspended virtual machine: its rounds and the datagrams that reach it wait, and when the stall ends everything
    /// that was due fires at once, in order, the round late. Its socket buffers everything meanwhile. The script's own
    /// operations on the node still run when called.
    /// </summary>
    public void Stall(string nodeId, TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        var node = RunningNode(nodeId);
        node.StalledUntilMs = Math.Max(node.StalledUntilMs, NowMs + (long)duration.TotalMilliseconds);
        _trace.Add(0x57A1);
        _trace.Add(node.StalledUntilMs);
        Note($"{node} stalls until {node.StalledUntilMs / 1000.0:F3}s");
    }

    /// <summary>
    /// Sets node <paramref name="nodeId"/>'s wall clock to virtual time plus <paramref name="offset"/>. The runtime times
    /// everything by a monotonic clock (virtual time here, as <c>Environment.TickCount64</c> in the actor runtime); the
    /// wall clock only picks a new incarnation's generation, so this matters at the node's next start.
    /// </summary>
    public void SetClockOffset(string nodeId, TimeSpan offset)
    {
        var node = Node(nodeId);
        var ms = (long)offset.TotalMilliseconds;
        if (ms < node.ClockOffsetMs)
            node.ClockSteppedBack = true;
        node.ClockOffsetMs = ms;
        _trace.Add(0xC10C);
        _trace.Add(ms);
        Note($"{node.Id}'s wall clock now {offset} off virtual time");
    }

    /// <summary>Steps node <paramref name="nodeId"/>'s wall clock by <paramref name="by"/> (back when negative), as a time sync correction would.</summary>
    public void StepClock(string nodeId, TimeSpan by) => SetClockOffset(nodeId, Node(nodeId).ClockOffset + by);

    /// <summary>Starts recording what <paramref name="from"/> sends <paramref name="to"/>, until the capture is stopped.</summary>
    public DatagramCapture Capture(string from, string to)
    {
        Node(from);
        Node(to);
        var capture = new DatagramCapture(from, to);
        _captures.Add(capture);
        return capture;
    }

    /// <summary>
    /// Delivers <paramref name="payload"/> to node <paramref name="to"/> now, as if sent from <paramref name="from"/>'s
    /// address (or from <paramref name="source"/>, any endpoint), past the network's faults: a forged, corrupted or
    /// replayed datagram.
    /// </summary>
    public void Inject(string to, byte[] payload, string? from = null, EndPoint? source = null)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var target = Node(to);
        var sender = from is null ? null : Node(from);
        var endPoint = source ?? sender?.EndPoint ?? new IPEndPoint(IPAddress.Parse("127.9.9.9"), 9);
        _trace.Add(0x1D1EC7);
        Schedule(NowMs, new ScheduledEvent(EventKind.Delivery, target.Index, 0, sender?.Index ?? -1, payload, null, endPoint, sender?.Id ?? endPoint.ToString()));
    }

    /// <summary>Delivers every datagram of <paramref name="capture"/> again, now, in the order they were sent.</summary>
    public void Replay(DatagramCapture capture)
    {
        ArgumentNullException.ThrowIfNull(capture);
        foreach (var datagram in capture.Datagrams)
            Inject(datagram.To, datagram.Payload, datagram.From);
    }

    private void Captured(SimulatedNode from, SimulatedNode to, byte[] payload)
    {
        foreach (var capture in _captures)
        {
            if (capture.IsRecording && capture.From == from.Id && capture.To == to.Id)
                capture.Add(new CapturedDatagram(NowMs, from.Id, to.Id, payload));
        }
    }
}
