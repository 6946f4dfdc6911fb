using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Tests.Protocol.Reconciliation;

public sealed class PushMessageTests
{
    private static readonly DatagramCodec Codec = new("push", 1400);

    private static Delta OwnDelta(out ClusterState owner)
    {
        owner = new ClusterState("owner", 3, "127.0.0.1:1");
        owner.Set("a", "1", 0);
        var before = owner.Self.MaxVersion;
        owner.Set("b", "2", 0);
        return owner.BuildOwnDelta(before, 1400, new Random(1));
    }

    [Fact]
    public void A_push_round_trips_with_its_hops()
    {
        var push = new PushMessage(7, OwnDelta(out _));
        var bytes = Codec.Encode(push);
        Assert.Equal(WireFormat.MessageSize(push), bytes.Length);
        Assert.Equal(DropReason.None, Codec.TryDecode(bytes, out var decoded));
        Assert.Equal(push, decoded);
    }

    [Fact]
    public void A_hop_count_above_the_maximum_is_rejected()
    {
        var bytes = Codec.Encode(new PushMessage(PushMessage.MaxHops, OwnDelta(out _)));
        bytes[WireFormat.HeaderSize] = PushMessage.MaxHops + 1;
        Assert.Equal(DropReason.InvalidField, Codec.TryDecode(bytes, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => Codec.Encode(new PushMessage(PushMessage.MaxHops + 1, Delta.Empty)));
    }

    [Fact]
    public void A_receiver_up_to_date_applies_it_and_forwards_with_one_hop_less_but_only_once()
    {
        var owner = new ClusterState("owner", 3, "127.0.0.1:1");
        owner.Set("a", "1", 0);
        var receiver = new ClusterState("receiver", 4, "127.0.0.1:2");
        ExchangeHarness.Exchange(receiver, owner, 1400, new Random(2));
        var before = owner.Self.MaxVersion;
        owner.Set("b", "2", 0);
        var push = new PushMessage(3, owner.BuildOwnDelta(before, 1400, new Random(3)));

        var report = new ApplyReport();
        Assert.Null(receiver.Receive(push, 1400, 1400, 0, new Random(4), report));
        Assert.Equal(new KeyUpdated("owner", "b", "2", 2), Assert.Single(report.Changes));
        Assert.Equal(2, push.NextHop(report)!.HopsLeft);

        var again = new ApplyReport();
        receiver.Receive(push, 1400, 1400, 0, new Random(5), again);
        Assert.Null(push.NextHop(again)); // nothing new the second time: the infection stops here
    }

    [Fact]
    public void A_receiver_missing_earlier_versions_rejects_it_as_a_gap_and_does_not_forward()
    {
        var push = new PushMessage(3, OwnDelta(out _));
        var stranger = new ClusterState("stranger", 5, "127.0.0.1:3");
        var report = new ApplyReport();
        stranger.Receive(push, 1400, 1400, 0, new Random(6), report);
        Assert.Equal(1, report.NonContiguous);
        Assert.Null(push.NextHop(report));
        Assert.False(stranger.TryGetNode("owner", out _));
    }

    [Fact]
    public void The_hop_budget_grows_with_the_log_of_the_cluster_and_is_capped()
    {
        Assert.Equal(3, PushMessage.HopsFor(1));
        Assert.Equal(8, PushMessage.HopsFor(64));
        Assert.Equal(PushMessage.MaxHops, PushMessage.HopsFor(int.MaxValue));
    }
}
