using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Akka.TestKit.Xunit2;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using ScuttlebuttAkka.Diagnostics;
using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Tests.EndToEnd;

namespace ScuttlebuttAkka.Tests.Diagnostics;

/// <summary>
/// Two nodes over real UDP under an OpenTelemetry MeterProvider with the in-memory exporter: every metric of
/// docs/observability.md arrives with the documented name, unit, instrument and tags, every documented reason is a
/// series, nothing undocumented is exported, and the values are the nodes' own.
/// </summary>
public sealed class OpenTelemetryExportTests : TestKit
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Every_documented_metric_reaches_the_exporter_with_its_name_unit_instrument_and_tags()
    {
        var documented = ObservabilityDoc.Metrics();
        Assert.True(documented.Count >= 12, $"only {documented.Count} metrics were read from docs/observability.md");
        var instruments = PublishedInstruments();

        var exported = new List<MetricSnapshot>();
        using var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(ScuttlebuttMetrics.MeterName)
            // Exported only when the test flushes, so the list is never written while it is read.
            .AddInMemoryExporter(exported, o => o.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 3_600_000)
            .Build();

        await using var cluster = new LocalCluster(Sys);
        var a = await cluster.StartAsync("otel-a");
        var b = await cluster.StartAsync("otel-b", seeds: a.Address);
        AwaitAssert(() =>
        {
            Assert.Single(a.View.LivePeers);
            Assert.Single(b.View.LivePeers);
        }, Generous);
        using (var outsider = new RawUdpPeer())
            outsider.Send([0x01], a.BoundEndPoint);
        AwaitAssert(() => Assert.Equal(1, a.Statistics.Dropped(DropReason.TooShort)), Generous);

        var metrics = new Dictionary<string, MetricSnapshot>();
        AwaitAssert(() =>
        {
            exported.Clear();
            Assert.True(provider.ForceFlush(10_000));
            metrics = exported.Where(m => m.MeterName == ScuttlebuttMetrics.MeterName).ToDictionary(m => m.Name);
            // Phi is recorded at each check of a live peer: present once both nodes have checked the other.
            Assert.True(metrics.TryGetValue("scuttlebutt.phi", out var phi), "no phi exported yet");
            Assert.All(new[] { "otel-a", "otel-b" }, node => Assert.True(Points(phi, node).Sum(p => p.GetHistogramCount()) > 0, $"no phi of {node} yet"));
        }, Generous);

        Assert.Equal(documented.Select(d => d.Name).Order(StringComparer.Ordinal), metrics.Keys.Order(StringComparer.Ordinal));
        foreach (var doc in documented)
        {
            var metric = metrics[doc.Name];
            Assert.True(doc.Unit == metric.Unit, $"{doc.Name}: documented unit {doc.Unit}, exported {metric.Unit}");
            Assert.True(doc.Instrument == instruments[doc.Name], $"{doc.Name}: documented {doc.Instrument}, created as {instruments[doc.Name]}");
            Assert.True(ExpectedType(doc.Instrument) == metric.MetricType, $"{doc.Name}: exported as {metric.MetricType}");
            Assert.NotEmpty(metric.MetricPoints);
            foreach (var point in metric.MetricPoints)
                Assert.Equal(doc.Tags.Order(StringComparer.Ordinal), TagsOf(point).Keys.Order(StringComparer.Ordinal));
            if (doc.Tags.Contains("node"))
                Assert.All(new[] { "otel-a", "otel-b" }, node => Assert.NotEmpty(Points(metric, node)));
        }

        // Every documented reason is a series of its own from the start, zero included.
        Assert.Equal(ObservabilityDoc.Reasons("### Drop reasons").Order(StringComparer.Ordinal), ReasonsOf(metrics["scuttlebutt.datagrams.dropped"], "otel-a"));
        Assert.Equal(ObservabilityDoc.Reasons("### Rejection reasons").Order(StringComparer.Ordinal), ReasonsOf(metrics["scuttlebutt.gossip.rejected"], "otel-a"));
        Assert.Equal(new[] { "InboundOverflow", "Oversized" }, ReasonsOf(metrics["scuttlebutt.transport.dropped"], "otel-b"));

        // The values are the nodes' own: the junk datagram, the rounds, the one live peer each.
        Assert.Equal(1, Sum(metrics["scuttlebutt.datagrams.dropped"], "otel-a", ("reason", "TooShort")));
        Assert.Equal(0, Sum(metrics["scuttlebutt.datagrams.dropped"], "otel-b", ("reason", "TooShort")));
        Assert.True(Sum(metrics["scuttlebutt.rounds"], "otel-a") > 0);
        Assert.True(Sum(metrics["scuttlebutt.bytes.received"], "otel-b") > 0);
        Assert.Equal(1, Points(metrics["scuttlebutt.peers"], "otel-a").Single(p => (string?)TagsOf(p)["status"] == "alive").GetGaugeLastValueLong());
        Assert.Equal(0, Points(metrics["scuttlebutt.peers"], "otel-b").Single(p => (string?)TagsOf(p)["status"] == "down").GetGaugeLastValueLong());
    }

    private static MetricType ExpectedType(string instrument) => instrument switch
    {
        "ObservableCounter<long>" => MetricType.LongSum,
        "ObservableGauge<int>" => MetricType.LongGauge,
        "Histogram<double>" => MetricType.Histogram,
        _ => throw new InvalidOperationException($"the test does not know the instrument {instrument}: add it"),
    };

    // Each instrument of the meter, written as the document writes it: ObservableCounter<long>.
    private static Dictionary<string, string> PublishedInstruments()
    {
        // The instruments are created with the type: make sure they exist before the listener looks.
        RuntimeHelpers.RunClassConstructor(typeof(ScuttlebuttMetrics).TypeHandle);
        var found = new Dictionary<string, string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, _) =>
        {
            if (instrument.Meter.Name == ScuttlebuttMetrics.MeterName)
                found[instrument.Name] = Describe(instrument.GetType());
        };
        listener.Start();
        return found;

        static string Describe(Type type)
        {
            var argument = type.GetGenericArguments().Single();
            var alias = argument == typeof(long) ? "long" : argument == typeof(int) ? "int" : argument == typeof(double) ? "double" : argument.Name;
            return $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{alias}>";
        }
    }

    private static Dictionary<string, object?> TagsOf(MetricPoint point)
    {
        var tags = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in point.Tags)
            tags[tag.Key] = tag.Value;
        return tags;
    }

    private static IEnumerable<MetricPoint> Points(MetricSnapshot metric, string node) =>
        metric.MetricPoints.Where(p => (string?)TagsOf(p).GetValueOrDefault("node") == node);

    private static long Sum(MetricSnapshot metric, string node, params (string Key, string Value)[] tags) =>
        Points(metric, node).Where(p => tags.All(t => (string?)TagsOf(p).GetValueOrDefault(t.Key) == t.Value)).Sum(p => p.GetSumLong());

    private static string[] ReasonsOf(MetricSnapshot metric, string node) =>
        Points(metric, node).Select(p => (string)TagsOf(p)["reason"]!).Order(StringComparer.Ordinal).ToArray();
}
