using System.Diagnostics.Metrics;
using Akka.TestKit.Xunit2;
using ScuttlebuttAkka.Diagnostics;
using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Tests.EndToEnd;

namespace ScuttlebuttAkka.Tests.Diagnostics;

/// <summary>
/// The meter reads each node's <see cref="GossipStatistics"/>: a listener attached late sees the totals the statistics
/// hold, nodes sharing an id are added up, and a stopped node is no longer reported.
/// </summary>
public sealed class ScuttlebuttMetricsTests : TestKit
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_listener_attached_late_reads_the_totals_the_statistics_hold()
    {
        await using var cluster = new LocalCluster(Sys);
        var a = await cluster.StartAsync("late-a");
        await cluster.StartAsync("late-b", seeds: a.Address);
        AwaitAssert(() => Assert.Single(a.View.LivePeers), Generous);
        using (var outsider = new RawUdpPeer())
        {
            outsider.Send([0x01], a.BoundEndPoint);
            outsider.Send([0x02], a.BoundEndPoint);
        }

        AwaitAssert(() => Assert.Equal(2, a.Statistics.Dropped(DropReason.TooShort)), Generous);

        var roundsBefore = a.Statistics.Rounds;
        var inBefore = a.Statistics.DatagramsIn;
        var measured = Collect();
        var roundsAfter = a.Statistics.Rounds;
        var inAfter = a.Statistics.DatagramsIn;

        Assert.Equal(2, measured[("scuttlebutt.datagrams.dropped", "late-a", "TooShort")]);
        Assert.Equal(0, measured[("scuttlebutt.datagrams.dropped", "late-a", "WrongCluster")]);
        Assert.InRange(measured[("scuttlebutt.rounds", "late-a", null)], Math.Max(1, roundsBefore), roundsAfter);
        Assert.InRange(measured[("scuttlebutt.datagrams.received", "late-a", null)], Math.Max(1, inBefore), inAfter);
        Assert.Equal(1, measured[("scuttlebutt.peers", "late-a", "alive")]);
    }

    [Fact]
    public void Nodes_sharing_an_id_are_added_up_and_a_node_unregistered_is_no_longer_reported()
    {
        var id = "shared-" + Guid.NewGuid().ToString("N")[..8];
        var first = new GossipStatistics();
        var second = new GossipStatistics();
        first.CountRound();
        first.CountDrop(DropReason.BadMagic);
        for (var i = 0; i < 3; i++)
            second.CountRound();
        ScuttlebuttMetrics.Register(id, first, () => ClusterView.Empty(id));
        ScuttlebuttMetrics.Register(id, second, () => ClusterView.Empty(id));
        try
        {
            var both = Collect();
            Assert.Equal(4, both[("scuttlebutt.rounds", id, null)]);
            Assert.Equal(1, both[("scuttlebutt.datagrams.dropped", id, "BadMagic")]);

            ScuttlebuttMetrics.Unregister(first);
            var one = Collect();
            Assert.Equal(3, one[("scuttlebutt.rounds", id, null)]);
            Assert.Equal(0, one[("scuttlebutt.datagrams.dropped", id, "BadMagic")]);

            ScuttlebuttMetrics.Unregister(second);
            Assert.DoesNotContain(Collect().Keys, k => k.Node == id);
        }
        finally
        {
            ScuttlebuttMetrics.Unregister(first);
            ScuttlebuttMetrics.Unregister(second);
        }
    }

    [Fact]
    public async Task A_stopped_node_is_no_longer_reported()
    {
        await using var cluster = new LocalCluster(Sys);
        var node = await cluster.StartAsync("stopping");
        AwaitAssert(() => Assert.Contains(Collect().Keys, k => k is { Instrument: "scuttlebutt.rounds", Node: "stopping" }), Generous);

        await node.StopAsync();

        AwaitAssert(() => Assert.DoesNotContain(Collect().Keys, k => k.Node == "stopping"), Generous);
    }

    // One collection of every observable instrument of the meter: the value of each (instrument, node, reason or status).
    private static Dictionary<(string Instrument, string? Node, string? Tag), long> Collect()
    {
        var values = new Dictionary<(string Instrument, string? Node, string? Tag), long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ScuttlebuttMetrics.MeterName)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();
        listener.RecordObservableInstruments();
        return values;

        void Record(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? node = null, tag = null;
            foreach (var (key, v) in tags)
            {
                if (key == "node")
                    node = (string?)v;
                else
                    tag = (string?)v;
            }

            // Each tag set is reported once per collection: a second value would mean something is counted twice.
            Assert.True(values.TryAdd((instrument.Name, node, tag), value), $"{instrument.Name} {node} {tag} reported twice");
        }
    }
}
