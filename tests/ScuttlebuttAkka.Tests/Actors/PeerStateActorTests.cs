using System.Collections.Immutable;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using ScuttlebuttAkka.Actors;
using ScuttlebuttAkka.Protocol;

namespace ScuttlebuttAkka.Tests.Actors;

// The actor alone, fed as its gossiper feeds it: it holds its peer's latest entry, answers for it, serves subscriptions
// to that peer's events, and stops once the peer is removed. GossiperActorTests checks the gossiper keeps one per peer.
public sealed class PeerStateActorTests : TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static PeerInfo Info(long version, PeerStatus status = PeerStatus.Alive, params (string Key, string Value)[] keys) =>
        new("web-1", 7, "10.0.0.1:7474", status, version,
            keys.Select((k, i) => (k.Key, Value: new VersionedValue(k.Value, i + 1, false))).ToImmutableDictionary(k => k.Key, k => k.Value, StringComparer.Ordinal));

    [Fact]
    public void It_answers_with_the_latest_entry_it_was_told()
    {
        var peer = Sys.ActorOf(PeerStateActor.Props("me", Info(1, PeerStatus.Alive, ("role", "web"))));
        Assert.Equal(1, peer.Ask<PeerInfo>(new GetPeerState("web-1"), Wait).Result.MaxVersion);

        var newer = Info(3, PeerStatus.Down, ("role", "web"), ("load", "0.5"));
        peer.Tell(new PeerChanged(newer, [new PeerEvent.Down("me", "web-1", 9.1)]));
        Assert.Equal(newer, peer.Ask<PeerInfo>(new GetPeerState("web-1"), Wait).Result);
    }

    [Fact]
    public void A_subscriber_gets_the_replay_then_that_peers_events_until_the_peer_is_removed()
    {
        var peer = Sys.ActorOf(PeerStateActor.Props("me", Info(1, PeerStatus.Alive, ("role", "web"))));
        Watch(peer);
        peer.Tell(new SubscribePeer("web-1", TestActor, InitialStateAsEvents: true));
        Assert.Equal("web-1", ExpectMsg<PeerEvent.Joined>(Wait).PeerId);
        Assert.Equal("role", ExpectMsg<PeerEvent.Updated>(Wait).Key);
        Assert.Equal("web-1", ExpectMsg<Subscribed>(Wait).PeerId);

        peer.Tell(new PeerChanged(Info(2, PeerStatus.Alive, ("role", "db")), [new PeerEvent.Updated("me", "web-1", "role", "db", 2)]));
        Assert.Equal("db", ExpectMsg<PeerEvent.Updated>(Wait).Value);

        peer.Tell(new PeerChanged(null, [new PeerEvent.Removed("me", "web-1")]));
        ExpectMsg<PeerEvent.Removed>(Wait);
        ExpectTerminated(peer, Wait);
    }

    [Fact]
    public void An_unsubscribed_or_stopped_subscriber_gets_nothing_more()
    {
        var peer = Sys.ActorOf(PeerStateActor.Props("me", Info(1)));
        var other = CreateTestProbe();
        peer.Tell(new SubscribePeer("web-1", TestActor));
        ExpectMsg<Subscribed>(Wait);
        peer.Tell(new SubscribePeer("web-1", other.Ref), other.Ref);
        other.ExpectMsg<Subscribed>(Wait);
        peer.Tell(new UnsubscribePeer("web-1", TestActor));

        peer.Tell(new PeerChanged(Info(2), [new PeerEvent.Up("me", "web-1")]));
        other.ExpectMsg<PeerEvent.Up>(Wait);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Theory]
    [InlineData("web-1", "peer-web-1")]
    [InlineData("a/b c", "peer-a%2Fb%20c")]
    [InlineData("$x%", "peer-%24x%25")]
    [InlineData("nœud", "peer-n%C5%93ud")]
    public void The_name_is_the_id_with_what_a_path_forbids_escaped(string id, string expected)
    {
        var name = PeerStateActor.ActorName(id);
        Assert.Equal(expected, name);
        Assert.True(ActorPath.IsValidPathElement(name), name);
    }

    [Fact]
    public void Distinct_ids_get_distinct_valid_names()
    {
        var random = new Random(5);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 2000; i++)
        {
            var id = new string(Enumerable.Range(0, random.Next(1, 12)).Select(_ => (char)random.Next(1, 0x2FF)).ToArray());
            if (char.IsSurrogate(id[^1]) || !ids.Add(id))
                continue;
            var name = PeerStateActor.ActorName(id);
            Assert.True(ActorPath.IsValidPathElement(name), $"{name} from {id}");
            Assert.True(names.Add(name), $"two ids named {name}");
        }
    }
}
