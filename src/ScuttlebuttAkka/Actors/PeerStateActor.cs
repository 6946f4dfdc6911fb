using Akka.Actor;
using ScuttlebuttAkka.Diagnostics;
using ScuttlebuttAkka.Protocol;

namespace ScuttlebuttAkka.Actors;

/// <summary>
/// One known peer, child of the <see cref="GossiperActor"/>: owns the peer's failure detector and liveness
/// (alive, down, up again, left, removed after expiry) and reports each transition to the gossiper. It stops when
/// the peer is removed. The decisions live in <see cref="PeerLiveness"/>; this actor gives it time and messages.
/// </summary>
public sealed class PeerStateActor : ReceiveActor, IWithTimers
{
    private readonly string _observer;
    private readonly IClock _clock;
    private readonly PeerLiveness _liveness;

    /// <summary>
    /// Creates the actor of peer <paramref name="peerId"/> seen by <paramref name="observer"/>, first heard of at
    /// <paramref name="discoveredAtMs"/> (passed in: the actor may be constructed a little later).
    /// </summary>
    public PeerStateActor(string observer, string peerId, long generation, long discoveredAtMs, LivenessSettings settings, IClock clock, TimeSpan checkInterval)
    {
        _observer = observer;
        _clock = clock;
        _liveness = new PeerLiveness(peerId, generation, settings, discoveredAtMs);

        Receive<HeartbeatArrived>(m => Report(_liveness.OnHeartbeat(m.AtMs)));
        Receive<PeerRestartedNotice>(m =>
        {
            if (m.Generation > _liveness.Generation)
                _liveness.OnRestarted(m.Generation, m.AtMs);
        });
        Receive<PeerLeftNotice>(m => Report(_liveness.OnLeft(m.AtMs)));
        Receive<LivenessCheck>(_ =>
        {
            var now = _clock.NowMs;
            if (_liveness.Status == PeerStatus.Alive)
                ScuttlebuttMetrics.RecordPhi(_observer, _liveness.Phi(now));
            Report(_liveness.Check(now));
        });
        CheckInterval = checkInterval;
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    private TimeSpan CheckInterval { get; }

    /// <summary>Props for a peer actor.</summary>
    public static Props Props(string observer, string peerId, long generation, long discoveredAtMs, LivenessSettings settings, IClock clock, TimeSpan checkInterval) =>
        Akka.Actor.Props.Create(() => new PeerStateActor(observer, peerId, generation, discoveredAtMs, settings, clock, checkInterval));

    /// <inheritdoc />
    protected override void PreStart() =>
        Timers.StartPeriodicTimer("liveness", LivenessCheck.Instance, CheckInterval);

    private void Report(LivenessTransition transition)
    {
        if (transition == LivenessTransition.None)
            return;
        Context.Parent.Tell(new PeerTransitioned(_liveness.NodeId, _liveness.Generation, transition, _liveness.Phi(_clock.NowMs)));
        if (transition == LivenessTransition.Removed)
            Context.Stop(Self);
    }
}
