using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.Runtime;
using ScuttlebuttAkka.Protocol.State;

namespace ScuttlebuttAkka.Simulation;

// How the simulator drives each node's runtime: it starts and stops incarnations, feeds them their rounds, datagrams
// and seed answers at the scheduled instants, and carries out their outputs. No gossip decision is made here.
public sealed partial class ClusterSimulator
{
    private void Dispatch(ScheduledEvent e)
    {
        switch (e.Kind)
        {
            case EventKind.Action:
                e.Action!(this);
                return;
            case EventKind.Delivery:
                var to = _nodes[e.Node];
                if (!to.IsRunning)
                {
                    Network.CountUndeliverable(e.FromId!, to.Id);
                    return;
                }

                if (Deferred(to, e))
                    return;
                _trace.Add(e.From);
                _trace.Add(e.Payload!);
                to.Runtime!.Receive(e.Payload, e.Source!, NowMs);
                Execute(to);
                return;
        }

        var node = _nodes[e.Node];
        if (!node.IsRunning || node.Incarnation != e.Incarnation)
            return; // belongs to an incarnation that stopped
        if (Deferred(node, e))
            return;
        if (e.Kind == EventKind.Round)
        {
            node.Runtime!.Tick(NowMs);
            Execute(node);
            if (node.IsRunning && node.Incarnation == e.Incarnation)
                Schedule(NowMs + _intervalMs, e);
        }
        else
        {
            node.Runtime!.SeedsResolved(_seedAddresses, NowMs);
            Execute(node);
        }
    }

    // A stalled node's timers and inbox wait: each event for it fires when the stall ends, in the order it was due.
    private bool Deferred(SimulatedNode node, ScheduledEvent e)
    {
        if (NowMs >= node.StalledUntilMs)
            return false;
        Schedule(node.StalledUntilMs, e);
        return true;
    }

    private void Boot(SimulatedNode node)
    {
        var now = NowMs;
        // Generations come from the node's wall clock, as the runtime's default does; a restart in the same millisecond
        // still comes back higher, and only a clock set back since the last start can make it come back lower.
        var wall = GenerationBase + now + node.ClockOffsetMs;
        node.Generation = wall > node.Generation || node.ClockSteppedBack ? wall : node.Generation + 1;
        node.ClockSteppedBack = false;
        node.Removed.Clear();
        node.HasLeft = false;
        node.Incarnation++;
        node.Starts++;
        node.Runtime = new NodeRuntime(node.Settings, node.Generation, node.Address, now, _random, new NodeRuntimeOptions
        {
            FailureDetection = Options.FailureDetection,
            PublishView = Options.PublishViews,
            DeltaOrdering = Options.DeltaOrdering,
            ParseEndPoint = address => _byAddress.TryGetValue(address, out var n) ? n.EndPoint : null,
            Telemetry = new SimulatedTelemetry(node, Metrics),
            MinimumNoticeLevel = _journal is null ? NoticeLevel.Error : NoticeLevel.Info,
        });
        if (_budgetCap != int.MaxValue)
            node.Runtime.BudgetCap = _budgetCap;
        _running++;
        _trace.Add(node.Generation);
        Note($"{node} starts");
        Execute(node);
        // Like the actor: a round at once, then one every interval.
        Schedule(now, new ScheduledEvent(EventKind.Round, node.Index, node.Incarnation, -1, null, null));
    }

    private void Stop(SimulatedNode node, bool left)
    {
        var generation = node.Generation;
        node.Runtime = null;
        node.HasLeft = left;
        node.Incarnation++;
        _running--;
        _tracker.Stopped(node, generation, _nodes, _running);
    }

    /// <summary>Carries out what <paramref name="node"/>'s runtime asked for in its last input.</summary>
    private void Execute(SimulatedNode node)
    {
        var output = node.Runtime!.Output;
        if (output.GenerationChanged)
        {
            var old = node.Generation;
            node.Generation = node.Runtime.Generation;
            _tracker.Reincarnated(node, old);
            _trace.Add(node.Generation);
        }

        foreach (var datagram in output.Datagrams)
            Route(node, datagram);
        foreach (var e in output.Events)
        {
            if (e is PeerEvent.Joined joined)
                CheckResurrection(node, joined.PeerId, joined.Generation);
            PeerEventSink?.Invoke(e);
        }

        foreach (var change in output.LivenessChanges)
            Record(node, change);
        if (_tracker.Outstanding > 0)
        {
            foreach (var id in output.AdvancedNodes)
                _tracker.Observe(node, id, NowMs, _running);
        }

        if (_journal is not null)
        {
            foreach (var notice in output.Notices)
                Note(notice.Message);
        }

        if (output.SeedsRequested)
        {
            // The actor asks its seed provider and hears back through its mailbox: after this input, at the same instant.
            Schedule(NowMs, new ScheduledEvent(EventKind.SeedsResolved, node.Index, node.Incarnation, -1, null, null));
        }

        if (output.LeaveCompleted)
        {
            Note($"{node} has left");
            Stop(node, left: true);
        }
    }

    private void Route(SimulatedNode from, OutgoingDatagram datagram)
    {
        var payload = datagram.Payload;
        if (!_byEndPoint.TryGetValue(datagram.To, out var to))
        {
            Network.CountUndeliverable(from.Id, datagram.To.ToString()!);
            return;
        }

        if (_captures.Count > 0)
            Captured(from, to, payload);
        Span<long> arrivals = stackalloc long[NetworkModel.MaxCopies];
        var copies = Network.Route(from.Id, to.Id, payload.Length, NowMs, _random, arrivals);
        for (var i = 0; i < copies; i++)
            Schedule(arrivals[i], new ScheduledEvent(EventKind.Delivery, to.Index, 0, from.Index, payload, null, from.EndPoint, from.Id));
    }

    private void Record(SimulatedNode node, LivenessChange change)
    {
        var (peerId, generation, transition) = (change.PeerId, change.Generation, change.Transition);
        if (transition == LivenessTransition.Removed)
            node.Removed[peerId] = Math.Max(generation, node.Removed.GetValueOrDefault(peerId));
        var subject = _byId.GetValueOrDefault(peerId);
        var running = subject is { IsRunning: true } && subject.Generation == generation;
        var cut = Network.IsPartitioned && (Network.IsBlocked(node.Id, peerId) || Network.IsBlocked(peerId, node.Id));
        Metrics.Add(new LivenessEvent(NowMs, node.Id, peerId, generation, transition, running, cut));
        _trace.Add(0x7E5);
        _trace.Add(peerId);
        _trace.Add((long)transition);
        if (_journal is not null)
            Note($"{node} sees {peerId}@{generation} {transition}{(running && transition == LivenessTransition.Down ? (cut ? " (link cut)" : " (FALSE POSITIVE)") : "")}");
    }

    private void CheckResurrection(SimulatedNode node, string peerId, long generation)
    {
        if (!node.Removed.TryGetValue(peerId, out var removed) || generation > removed)
            return;
        var subject = _byId.GetValueOrDefault(peerId);
        if (subject is { IsRunning: true } && subject.Generation == generation)
            return; // removed while cut off, but alive all along: coming back is right
        var text = $"{node.Id} learned of {peerId}@{generation} again at {NowMs} ms after removing generation {removed}";
        Metrics.AddResurrection(text);
        Note(text);
    }

    /// <summary>What a simulated node's runtime counts goes to the node's counters and the simulation's metrics.</summary>
    private sealed class SimulatedTelemetry(SimulatedNode node, SimulationMetrics metrics) : RuntimeTelemetry
    {
        public override void RoundStarted()
        {
            node.Rounds++;
            metrics.NodeRounds++;
        }

        public override void DatagramReceived(int bytes)
        {
            node.DatagramsReceived++;
            node.BytesReceived += bytes;
            metrics.DatagramsReceived++;
        }

        public override void DatagramSent(int bytes)
        {
            node.DatagramsSent++;
            node.BytesSent += bytes;
            metrics.DatagramsSent++;
            metrics.BytesSent += bytes;
        }

        public override void DatagramDropped(DropReason reason)
        {
            node.DatagramsDropped++;
            metrics.DatagramsDropped++;
        }

        public override void Rejected(ApplyReport report) => metrics.Rejected += report.Rejected;
    }
}
