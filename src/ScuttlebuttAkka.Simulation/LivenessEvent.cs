using ScuttlebuttAkka.Protocol;

namespace ScuttlebuttAkka.Simulation;

/// <summary>A peer's liveness changed in one node's eyes: the failure detector's verdicts and the lifecycle steps.</summary>
/// <param name="AtMs">When, in virtual milliseconds.</param>
/// <param name="Observer">The node whose view changed.</param>
/// <param name="Peer">The peer it is about.</param>
/// <param name="Generation">The peer's incarnation the verdict is about.</param>
/// <param name="Transition">Down, up, left or removed.</param>
/// <param name="PeerRunning">Whether that incarnation of the peer was in fact running at that moment.</param>
/// <param name="LinkCut">Whether a partition cut the direct link between the two, in either direction, at that moment.</param>
public sealed record LivenessEvent(long AtMs, string Observer, string Peer, long Generation, LivenessTransition Transition, bool PeerRunning, bool LinkCut)
{
    /// <summary>A running peer, not cut off from the observer, declared down: what the failure detector must avoid.</summary>
    public bool IsFalsePositive => Transition == LivenessTransition.Down && PeerRunning && !LinkCut;
}
