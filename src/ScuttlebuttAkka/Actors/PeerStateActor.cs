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

    /// <summary>Creates the actor of peer <paramref name="peerId"/> seen by <paramref name="observer"/>.</summary>
    public PeerStateActor(string observer, string peerId, long generation, LivenessSettings settings, IClock clock, TimeSpan checkInterval)
    {
        _observer = observer;
        _clock = clock;
        _liveness = new PeerLiveness(peerId, generation, settings, clock.NowMs);

        Receive<HeartbeatArrived>(_ => Report(_liveness.OnHeartbeat(_clock.NowMs)));
        Receive<PeerRestartedNotice>(m => _liveness.OnRestarted(m.Generation, _clock.NowMs));
        Receive<PeerLeftNotice>(_ => Report(_liveness.OnLeft(_clock.NowMs)));
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
    public static Props Props(string observer, string peerId, long generation, LivenessSettings settings, IClock clock, TimeSpan checkInterval) =>
        Akka.Actor.Props.Create(() => new PeerStateActor(observer, peerId, generation, settings, clock, checkInterval));

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
