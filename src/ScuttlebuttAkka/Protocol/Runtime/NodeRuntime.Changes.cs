using System.Net;
using ScuttlebuttAkka.Protocol.Liveness;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Protocol.Runtime;

// What a received message changed: peers that joined, restarted or left, the view's entries, heartbeats for the
// detectors, and the newcomers to pass on.
internal sealed partial class NodeRuntime
{
    private void Process(ApplyReport report, long nowMs)
    {
        if (report.AnyRejected)
            _telemetry.Rejected(report);

        foreach (var change in report.Changes)
        {
            switch (change)
            {
                case NodeDiscovered d:
                    AddPeer(d.NodeId, d.Generation, nowMs);
                    Output.Events.Add(new PeerEvent.Joined(NodeId, d.NodeId, d.Generation, d.Address));
                    break;
                case NodeRestarted r:
                    PeerRestarted(r, nowMs);
                    Output.Events.Add(new PeerEvent.Restarted(NodeId, r.NodeId, r.OldGeneration, r.NewGeneration, r.Address));
                    break;
                case KeyUpdated u:
                    Output.Events.Add(new PeerEvent.Updated(NodeId, u.NodeId, u.Key, u.Value, u.Version));
                    break;
                case KeyTombstoned k:
                    Output.Events.Add(new PeerEvent.KeyDeleted(NodeId, k.NodeId, k.Key, k.Version));
                    break;
                case NodeLeft l:
                    PeerLeft(l, nowMs);
                    break;
            }

            _touched.Add(change.NodeId);
        }

        // Each changed node's entry in the view is rebuilt once, whatever number of its keys the message carried.
        foreach (var id in report.Advanced)
        {
            _touched.Add(id);
            Output.AdvancedNodes.Add(id);
        }

        foreach (var id in _touched)
            _view.Refresh(State, id, Output);
        _touched.Clear();

        if (_options.FailureDetection)
        {
            foreach (var id in report.HeartbeatsAdvanced)
            {
                if (State.TryGetNode(id, out var n) && n.Liveness?.OnHeartbeat(nowMs, _heartbeatGapMs) is { } t and not LivenessTransition.None)
                    _transitions.Add((id, t, 0));
            }
        }

        // After the message's own events, so a subscriber hears of a peer before it hears the peer is down or up.
        ApplyTransitions(nowMs);

        // Another node began or stopped suspecting a peer: judge at once rather than at the next round, so that a
        // corroborated verdict spreads at the speed of the push that carried it.
        if (report.SuspicionsChanged && _options.FailureDetection)
            JudgePeers(nowMs);
    }

    private void AddPeer(string id, long generation, long nowMs)
    {
        if (!State.TryGetNode(id, out var node))
            return;
        if (_options.FailureDetection)
            node.Liveness ??= new PeerLiveness(id, generation, _settings.Liveness, nowMs);
        _addresses.Learn(node, Output, State.NodeList);
        _roster.Invalidate();
    }

    private void PeerRestarted(NodeRestarted r, long nowMs)
    {
        if (!State.TryGetNode(r.NodeId, out var node))
            return;
        if (node.Liveness is { } liveness)
        {
            if (r.NewGeneration > liveness.Generation)
                liveness.OnRestarted(r.NewGeneration, nowMs);
            _addresses.Learn(node, Output, State.NodeList);
            _roster.Invalidate();
        }
        else
        {
            AddPeer(r.NodeId, r.NewGeneration, nowMs);
        }
    }

    private void PeerLeft(NodeLeft l, long nowMs)
    {
        if (!State.TryGetNode(l.NodeId, out var node))
            return;
        if (node.Liveness is { } liveness)
        {
            _transitions.Add((l.NodeId, liveness.OnLeft(nowMs), 0));
            return;
        }

        // Without a detector the leave mark alone makes the peer left: no longer a gossip target, never removed.
        _roster.Invalidate();
        Output.Events.Add(new PeerEvent.Left(NodeId, l.NodeId, l.Generation));
        Output.LivenessChanges.Add(new LivenessChange(l.NodeId, l.Generation, LivenessTransition.Left, double.NaN, 0));
    }

    /// <summary>
    /// Passes on at once, as an eager push, every node this datagram's sender just introduced first-hand (a newcomer or
    /// a restarted node talking to us about itself), so the cluster knows it within milliseconds instead of rounds; at
    /// most <see cref="ClusterState.IntroductionsPerRound"/> a round, so forged newcomers cannot make a node flood.
    /// </summary>
    private void Introduce(ApplyReport report, EndPoint from)
    {
        foreach (var change in report.Changes)
        {
            if (_introductionsLeft == 0)
                return;
            if (change is not (NodeDiscovered or NodeRestarted))
                continue;
            if (!State.TryGetNode(change.NodeId, out var node) || node.EndPoint is null || !node.EndPoint.Equals(from))
                continue;
            _introductionsLeft--;
            var delta = State.BuildIntroductionDelta(change.NodeId, MessageBudget - 1, _random);
            if (!delta.IsEmpty)
                PushTo(new PushMessage(PushMessage.HopsFor(State.Nodes.Count), delta), except: from);
        }
    }
}
