using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Akka.TestKit.Xunit2;
using ScuttlebuttAkka.Diagnostics;
using ScuttlebuttAkka.Tests.EndToEnd;

namespace ScuttlebuttAkka.Tests;

public sealed class MetricsTests : TestKit
{
    [Fact]
    public async Task The_meter_reports_rounds_traffic_and_peers_tagged_by_node()
    {
        var totals = new ConcurrentDictionary<(string Instrument, string Node), long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ScuttlebuttMetrics.MeterName)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
        listener.Start();

        await using var cluster = new LocalCluster(Sys);
        var a = await cluster.StartAsync("metrics-a");
        await cluster.StartAsync("metrics-b", seeds: a.Address);
        AwaitAssert(() => Assert.Single(a.View.LivePeers), TimeSpan.FromSeconds(20));

        AwaitAssert(() =>
        {
            listener.RecordObservableInstruments();
            Assert.True(totals.GetValueOrDefault(("scuttlebutt.rounds", "metrics-a")) > 0);
            Assert.True(totals.GetValueOrDefault(("scuttlebutt.datagrams.sent", "metrics-b")) > 0);
            Assert.True(totals.GetValueOrDefault(("scuttlebutt.bytes.received", "metrics-a")) > 0);
            Assert.True(totals.GetValueOrDefault(("scuttlebutt.peers", "metrics-a")) > 0);
        }, TimeSpan.FromSeconds(20));

        void Add(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "node" && tag.Value is string node)
                    totals.AddOrUpdate((instrument.Name, node), value, (_, old) => old + value);
            }
        }
    }
}
