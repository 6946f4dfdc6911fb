using Akka.Actor;
using Akka.TestKit.Xunit2;
using ScuttlebuttAkka.Actors;
using ScuttlebuttAkka.Protocol.Liveness;
using ScuttlebuttAkka.Tests.Protocol.Liveness;

namespace ScuttlebuttAkka.Tests.Actors;

// The detector's decisions are PeerLiveness's (PeerLivenessTests); here only the actor's own duty: it lives as long as
// its peer is known and stops on removal, whatever came before.
public sealed class PeerStateActorTests : TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private IActorRef SpawnWatched()
    {
        var peer = Sys.ActorOf(PeerStateActor.Props("observer", "peer-1", 7));
        Watch(peer);
        return peer;
    }

    [Fact]
    public void Down_up_left_and_a_restart_keep_the_actor_running()
    {
        var peer = SpawnWatched();
        peer.Tell(new PeerTransitioned("peer-1", 7, LivenessTransition.Down, 9.5));
        peer.Tell(new PeerTransitioned("peer-1", 7, LivenessTransition.Up, 0.1));
        peer.Tell(new PeerRestartedNotice(8));
        peer.Tell(new PeerTransitioned("peer-1", 8, LivenessTransition.Left, 0.2));
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        // Still processing messages: an Identify round trip answers with the actor itself.
        peer.Tell(new Identify(1));
        Assert.Equal(peer, ExpectMsg<ActorIdentity>(Wait).Subject);
    }

    [Theory]
    [InlineData(LivenessTransition.Down)]
    [InlineData(LivenessTransition.Left)]
    public void Removal_stops_the_actor(LivenessTransition before)
    {
        var peer = SpawnWatched();
        peer.Tell(new PeerTransitioned("peer-1", 7, before, 9.5));
        peer.Tell(new PeerTransitioned("peer-1", 7, LivenessTransition.Removed, 0));
        ExpectTerminated(peer, Wait);
    }
}
