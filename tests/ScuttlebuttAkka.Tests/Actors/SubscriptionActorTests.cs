using Akka.Actor;
using System.Collections.Immutable;
using Akka.TestKit.Xunit2;
using ScuttlebuttAkka.Actors;
using ScuttlebuttAkka.Protocol;

namespace ScuttlebuttAkka.Tests.Actors;

public sealed class SubscriptionActorTests : TestKit
{
    private static ClusterView ViewWith(string self, params PeerInfo[] peers) =>
        new(self, peers.ToImmutableDictionary(p => p.PeerId, StringComparer.Ordinal));

    private static PeerInfo Peer(string id, PeerStatus status, params (string Key, string Value, long Version)[] values) =>
        new(id, 1, "127.0.0.1:1", status, values.Length == 0 ? 0 : values.Max(v => v.Version),
            values.ToImmutableDictionary(v => v.Key, v => new VersionedValue(v.Value, v.Version, false)));

    [Fact]
    public void Events_are_published_to_the_event_stream()
    {
        var subscription = Sys.ActorOf(SubscriptionActor.Props("me"));
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe, typeof(PeerEvent));
        var joined = new PeerEvent.Joined("me", "p", 1, "127.0.0.1:1");
        var updated = new PeerEvent.Updated("me", "p", "k", "v", 1);
        subscription.Tell(new PublishEvents(new PeerEvent[] { joined, updated }, ViewWith("me")));
        probe.ExpectMsg(joined);
        probe.ExpectMsg(updated);
    }

    [Fact]
    public void Initial_state_is_replayed_before_live_events_with_nothing_missed_or_repeated()
    {
        var subscription = Sys.ActorOf(SubscriptionActor.Props("me"));
        var view = ViewWith("me",
            Peer("me", PeerStatus.Alive, ("mine", "x", 1)),
            Peer("a", PeerStatus.Alive, ("role", "web", 1), ("load", "3", 2)),
            Peer("b", PeerStatus.Down));
        subscription.Tell(new PublishEvents(Array.Empty<PeerEvent>(), view));
        var probe = CreateTestProbe();
        subscription.Tell(new SubscribePeerEvents(probe, InitialStateAsEvents: true), TestActor);
        var live = new PeerEvent.Updated("me", "a", "role", "db", 3);
        subscription.Tell(new PublishEvents(new PeerEvent[] { live }, view));

        probe.ExpectMsg(new PeerEvent.Joined("me", "a", 1, "127.0.0.1:1"));
        probe.ExpectMsg(new PeerEvent.Updated("me", "a", "role", "web", 1));
        probe.ExpectMsg(new PeerEvent.Updated("me", "a", "load", "3", 2));
        probe.ExpectMsg(new PeerEvent.Joined("me", "b", 1, "127.0.0.1:1"));
        Assert.IsType<PeerEvent.Down>(probe.ExpectMsg<PeerEvent.Down>());
        probe.ExpectMsg(live);
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        ExpectMsg<Subscribed>();
    }
}
