using ScuttlebuttAkka.Protocol.Liveness;
using ScuttlebuttAkka.Protocol.State;

namespace ScuttlebuttAkka.Protocol.Runtime;

// Judging peers: every detector at the start of each round (and when another node's suspicions change), the
// corroborated verdicts, this node's own suspicions said aloud, and what each verdict changes.
internal sealed partial class NodeRuntime
{
    private void JudgePeers(long nowMs)
    {
        var corroborate = _settings.Liveness.Detector.Corroborations > 0 && State.DigestsComplete;
        var threshold = _settings.Liveness.Detector.Threshold;
        foreach (var node in State.NodeList)
        {
            if (node.Liveness is not { } liveness)
                continue;
            if (liveness.Status == PeerStatus.Alive && _telemetry.PhiEnabled)
                _telemetry.Phi(liveness.Phi(nowMs));
            var others = corroborate && liveness.Status == PeerStatus.Alive && liveness.IsSuspect(nowMs)
                ? State.CountSuspicions(node.NodeId, liveness.Generation, _isLiveObserver)
                : 0;
            var transition = liveness.Check(nowMs, others);
            if (transition == LivenessTransition.None)
                continue;
            // Below the threshold only other nodes' suspicions can have made a down verdict (PeerLiveness.Check).
            var corroborated = transition == LivenessTransition.Down && liveness.Phi(nowMs) <= threshold ? others : 0;
            _transitions.Add((node.NodeId, transition, corroborated));
        }

        ApplyTransitions(nowMs);
        if (_settings.Liveness.Detector.Corroborations > 0)
            SaySuspicions(nowMs, corroborate);
    }

    /// <summary>
    /// Brings this node's suspicion pairs in line with its detectors (<see cref="SuspicionBook"/>) and pushes any
    /// change at once, so that the nodes missing the same peer find each other within milliseconds. While this node's
    /// digests are partial (<see cref="ClusterState.DigestsComplete"/>) it suspects no one aloud: heartbeats then
    /// reach nodes by few and shared paths, many nodes miss the same live peer at once, and their suspicions would not
    /// be independent.
    /// </summary>
    private void SaySuspicions(long nowMs, bool aloud)
    {
        var before = State.Self.MaxVersion;
        if (!_suspicions.Sync(State, nowMs, aloud))
            return;
        OwnStateChanged();
        EagerPush(before);
    }

    private void ApplyTransitions(long nowMs)
    {
        foreach (var (id, transition, corroborated) in _transitions)
        {
            if (transition != LivenessTransition.None)
                OnTransition(id, transition, corroborated, nowMs);
        }

        _transitions.Clear();
    }

    private void OnTransition(string peerId, LivenessTransition transition, int corroborated, long nowMs)
    {
        // An earlier transition of the same batch may have removed the peer already.
        if (!State.TryGetNode(peerId, out var node) || node.Liveness is not { } liveness)
            return;
        var generation = liveness.Generation;
        if (generation != node.Generation)
        {
            // A verdict about an incarnation the view no longer holds (never expected: a restart resets the detector):
            // judge the incarnation that is held, from now.
            if (node.Generation > generation)
                liveness.OnRestarted(node.Generation, nowMs);
            return;
        }

        var phi = liveness.Phi(nowMs);
        PeerEvent e;
        switch (transition)
        {
            case LivenessTransition.Down:
                State.SetDown(peerId, true);
                e = new PeerEvent.Down(NodeId, peerId, phi, corroborated);
                break;
            case LivenessTransition.Up:
                State.SetDown(peerId, false);
                e = new PeerEvent.Up(NodeId, peerId);
                break;
            case LivenessTransition.Left:
                e = new PeerEvent.Left(NodeId, peerId, generation);
                break;
            default:
                State.Remove(peerId, nowMs + _removedMemoryMs);
                _addresses.Forget(node, State.NodeList);
                node.Liveness = null;
                e = new PeerEvent.Removed(NodeId, peerId);
                break;
        }

        _roster.Invalidate();
        Output.Events.Add(e);
        Output.LivenessChanges.Add(new LivenessChange(peerId, generation, transition, phi, corroborated));
        _view.Refresh(State, peerId, Output);
    }
}
