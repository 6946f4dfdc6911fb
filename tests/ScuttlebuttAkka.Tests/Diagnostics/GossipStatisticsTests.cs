using System.Diagnostics.Metrics;
using Akka.TestKit.Xunit2;
using ScuttlebuttAkka.Diagnostics;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Tests.EndToEnd;

namespace ScuttlebuttAkka.Tests.Diagnostics;

/// <summary>
/// A node's statistics hold every count once: the runtime's rejections by reason, and its UDP socket's errors and drops
/// (the transport counters the gossiper's stream is materialized with), which the meter then reports.
/// </summary>
public sealed class GossipStatisticsTests : TestKit
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    [Fact]
    public void Rejections_are_counted_by_reason_and_add_up_to_the_total()
    {
        var statistics = new GossipStatistics();
        var telemetry = new NodeTelemetry("n", statistics);
        var report = new ApplyReport { Stale = 1, NonContiguous = 2, OldGeneration = 3, FromRemovedNode = 4, UnknownWithoutAddress = 5, OverNodeLimit = 6, OverKeyLimit = 7, Malformed = 8, AboutSelf = 9 };

        telemetry.Rejected(report);
        telemetry.Rejected(new ApplyReport { Stale = 10 });

        Assert.Equal(11, statistics.Rejected(RejectionReason.Stale));
        Assert.Equal(2, statistics.Rejected(RejectionReason.NonContiguous));
        Assert.Equal(3, statistics.Rejected(RejectionReason.OldGeneration));
        Assert.Equal(4, statistics.Rejected(RejectionReason.FromRemovedNode));
        Assert.Equal(5, statistics.Rejected(RejectionReason.UnknownWithoutAddress));
        Assert.Equal(6, statistics.Rejected(RejectionReason.OverNodeLimit));
        Assert.Equal(7, statistics.Rejected(RejectionReason.OverKeyLimit));
        Assert.Equal(8, statistics.Rejected(RejectionReason.Malformed));
        Assert.Equal(9, statistics.Rejected(RejectionReason.AboutSelf));
        Assert.Equal(report.Rejected + 10, statistics.RejectedNodeDeltas);
        Assert.Equal(Enum.GetValues<RejectionReason>().Length, statistics.RejectedByReason().Count);
    }

    [Fact]
    public void Only_reasons_that_occurred_are_listed_by_reason()
    {
        var statistics = new GossipStatistics();
        new NodeTelemetry("n", statistics).Rejected(new ApplyReport { OldGeneration = 2 });

        Assert.Equal(new Dictionary<RejectionReason, long> { [RejectionReason.OldGeneration] = 2 }, statistics.RejectedByReason());
    }

    [Fact]
    public async Task The_udp_socket_of_a_node_counts_into_its_statistics_and_the_meter_reports_it()
    {
        await using var cluster = new LocalCluster(Sys);
        // A seed of the other address family: the IPv4 socket refuses every send to it, a send error each round.
        var node = await cluster.StartAsync("unreachable-seed", seeds: "[::1]:9");
        var peer = await cluster.StartAsync("peer", seeds: node.Address);
        AwaitAssert(() => Assert.Single(node.View.LivePeers), Generous);

        AwaitAssert(() =>
        {
            Assert.True(node.Statistics.Transport.SendErrors > 0, $"no send error counted: {node.Statistics.Transport}");
            Assert.True(node.Statistics.Transport.DatagramsIn > 0, "the socket's receptions are not counted");
            Assert.True(peer.Statistics.Transport.DatagramsOut > 0, "the peer's socket sends are not counted");
        }, Generous);
        Assert.Equal(0, peer.Statistics.Transport.SendErrors);

        var before = node.Statistics.Transport.SendErrors;
        var reported = SendErrorsReported("unreachable-seed");
        Assert.InRange(reported, before, node.Statistics.Transport.SendErrors);
    }

    private static long SendErrorsReported(string node)
    {
        long? reported = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ScuttlebuttMetrics.MeterName && instrument.Name == "scuttlebutt.transport.send_errors")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "node", Value: string n } && n == node)
                    reported = value;
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        Assert.True(reported.HasValue, $"no send errors reported for {node}");
        return reported.Value;
    }
}
