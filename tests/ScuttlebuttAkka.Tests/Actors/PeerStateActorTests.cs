using Akka.Actor;
using Akka.TestKit.Xunit2;
using ScuttlebuttAkka.Actors;
using ScuttlebuttAkka.Protocol;

namespace ScuttlebuttAkka.Tests.Actors;

public sealed class PeerStateActorTests : TestKit
{
    private static readonly LivenessSettings Liveness = new()
    {
        Detector = new FailureDetectorSettings
        {
            Threshold = 8,
            MinStdDeviation = TimeSpan.FromMilliseconds(50),
            AcceptableHeartbeatPause = TimeSpan.Zero,
            FirstHeartbeatEstimate = TimeSpan.FromMilliseconds(100),
        },
        DownExpiry = TimeSpan.FromSeconds(5),
        LeftExpiry = TimeSpan.FromSeconds(2),
    };

    private (IActorRef Peer, ManualClock Clock) Spawn()
    {
        var clock = new ManualClock(1_000);
        // The periodic check is an hour apart: each test triggers checks itself, so nothing races with the clock.
        var peer = ChildActorOf(PeerStateActor.Props("observer", "peer-1", 7, clock.NowMs, Liveness, clock, TimeSpan.FromHours(1)));
        return (peer, clock);
    }

    private void Beat(IActorRef peer, ManualClock clock, int times)
    {
        for (var i = 0; i < times; i++)
        {
            clock.Advance(100);
            peer.Tell(new HeartbeatArrived(clock.NowMs));
        }
    }

    private static void Check(IActorRef peer) => peer.Tell(LivenessCheck.Instance);

    [Fact]
    public void Regular_heartbeats_keep_the_peer_alive()
    {
        var (peer, clock) = Spawn();
        Beat(peer, clock, 20);
        clock.Advance(100);
        Check(peer);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void Silence_makes_the_peer_down_then_a_heartbeat_brings_it_up_again()
    {
        var (peer, clock) = Spawn();
        Beat(peer, clock, 20);
        clock.Advance(5_000);
        Check(peer);
        var down = ExpectMsg<PeerTransitioned>(TimeSpan.FromSeconds(10));
        Assert.Equal(LivenessTransition.Down, down.Transition);
        Assert.Equal("peer-1", down.PeerId);
        Assert.True(down.Phi > Liveness.Detector.Threshold);

        peer.Tell(new HeartbeatArrived(clock.NowMs));
        var up = ExpectMsg<PeerTransitioned>(TimeSpan.FromSeconds(10));
        Assert.Equal(LivenessTransition.Up, up.Transition);
    }

    [Fact]
    public void A_down_peer_is_removed_after_the_expiry_and_the_actor_stops()
    {
        var (peer, clock) = Spawn();
        Watch(peer);
        Beat(peer, clock, 10);
        clock.Advance(5_000);
        Check(peer);
        Assert.Equal(LivenessTransition.Down, ExpectMsg<PeerTransitioned>(TimeSpan.FromSeconds(10)).Transition);
        clock.Advance((long)Liveness.DownExpiry.TotalMilliseconds + 1);
        Check(peer);
        Assert.Equal(LivenessTransition.Removed, ExpectMsg<PeerTransitioned>(TimeSpan.FromSeconds(10)).Transition);
        ExpectTerminated(peer, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_left_peer_is_reported_left_never_down_and_removed_after_its_expiry()
    {
        var (peer, clock) = Spawn();
        Beat(peer, clock, 10);
        peer.Tell(new PeerLeftNotice(clock.NowMs));
        Assert.Equal(LivenessTransition.Left, ExpectMsg<PeerTransitioned>(TimeSpan.FromSeconds(10)).Transition);
        clock.Advance((long)Liveness.LeftExpiry.TotalMilliseconds + 1);
        Check(peer);
        Assert.Equal(LivenessTransition.Removed, ExpectMsg<PeerTransitioned>(TimeSpan.FromSeconds(10)).Transition);
    }

    [Fact]
    public void A_restart_gives_a_fresh_detector_under_the_new_generation()
    {
        var (peer, clock) = Spawn();
        Beat(peer, clock, 10);
        peer.Tell(new PeerRestartedNotice(9, clock.NowMs));
        clock.Advance(10_000);
        Check(peer);
        var down = ExpectMsg<PeerTransitioned>(TimeSpan.FromSeconds(10));
        Assert.Equal(LivenessTransition.Down, down.Transition);
        Assert.Equal(9, down.Generation);
    }
}
