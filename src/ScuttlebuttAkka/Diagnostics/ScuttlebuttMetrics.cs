using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.State;

namespace ScuttlebuttAkka.Diagnostics;

/// <summary>
/// The library's <see cref="Meter"/> ("ScuttlebuttAkka"): rounds, datagrams and bytes in and out, drops by reason,
/// rejected gossip, peers by status and phi. Every measurement is tagged with the observing node id, so OpenTelemetry
/// (or <c>dotnet-counters</c>) can tell apart several nodes in one process.
/// </summary>
public static class ScuttlebuttMetrics
{
    /// <summary>The meter's name, to pass to <c>AddMeter</c>.</summary>
    public const string MeterName = "ScuttlebuttAkka";

    private static readonly Meter Meter = new(MeterName, typeof(ScuttlebuttMetrics).Assembly.GetName().Version?.ToString());
    private static readonly ConcurrentDictionary<string, Func<ClusterView>> Views = new(StringComparer.Ordinal);

    private static readonly Counter<long> Rounds = Meter.CreateCounter<long>("scuttlebutt.rounds", "{round}", "Gossip rounds started.");
    private static readonly Counter<long> DatagramsIn = Meter.CreateCounter<long>("scuttlebutt.datagrams.received", "{datagram}", "Datagrams received.");
    private static readonly Counter<long> DatagramsOut = Meter.CreateCounter<long>("scuttlebutt.datagrams.sent", "{datagram}", "Datagrams sent.");
    private static readonly Counter<long> BytesIn = Meter.CreateCounter<long>("scuttlebutt.bytes.received", "By", "Bytes received.");
    private static readonly Counter<long> BytesOut = Meter.CreateCounter<long>("scuttlebutt.bytes.sent", "By", "Bytes sent.");
    private static readonly Counter<long> Dropped = Meter.CreateCounter<long>("scuttlebutt.datagrams.dropped", "{datagram}", "Datagrams dropped, tagged by reason.");
    private static readonly Counter<long> Rejected = Meter.CreateCounter<long>("scuttlebutt.gossip.rejected", "{item}", "Node deltas and digest entries rejected while applying, tagged by reason.");
    private static readonly Histogram<double> Phi = Meter.CreateHistogram<double>("scuttlebutt.phi", "{phi}", "Failure-detector phi of each peer at each check.");

    static ScuttlebuttMetrics()
    {
        Meter.CreateObservableGauge("scuttlebutt.peers", ObservePeers, "{peer}", "Known peers, tagged by status.");
    }

    internal static void Register(string nodeId, Func<ClusterView> view) => Views[nodeId] = view;

    internal static void Unregister(string nodeId) => Views.TryRemove(nodeId, out _);

    internal static void Round(string node) => Rounds.Add(1, Tag(node));

    internal static void Received(string node, int bytes)
    {
        DatagramsIn.Add(1, Tag(node));
        BytesIn.Add(bytes, Tag(node));
    }

    internal static void Sent(string node, int bytes)
    {
        DatagramsOut.Add(1, Tag(node));
        BytesOut.Add(bytes, Tag(node));
    }

    internal static void Drop(string node, DropReason reason) =>
        Dropped.Add(1, Tag(node), new KeyValuePair<string, object?>("reason", reason.ToString()));

    internal static void Reject(string node, ApplyReport report)
    {
        Add(nameof(report.Stale), report.Stale);
        Add(nameof(report.NonContiguous), report.NonContiguous);
        Add(nameof(report.OldGeneration), report.OldGeneration);
        Add(nameof(report.FromRemovedNode), report.FromRemovedNode);
        Add(nameof(report.UnknownWithoutAddress), report.UnknownWithoutAddress);
        Add(nameof(report.OverNodeLimit), report.OverNodeLimit);
        Add(nameof(report.OverKeyLimit), report.OverKeyLimit);
        Add(nameof(report.Malformed), report.Malformed);
        Add(nameof(report.AboutSelf), report.AboutSelf);

        void Add(string reason, int n)
        {
            if (n > 0)
                Rejected.Add(n, Tag(node), new KeyValuePair<string, object?>("reason", reason));
        }
    }

    /// <summary>Whether anyone listens to the phi histogram; phi costs an exp and a log per peer, so it is computed only then.</summary>
    internal static bool PhiEnabled => Phi.Enabled;

    internal static void RecordPhi(string node, double phi) => Phi.Record(phi, Tag(node));

    private static KeyValuePair<string, object?> Tag(string node) => new("node", node);

    private static IEnumerable<Measurement<int>> ObservePeers()
    {
        foreach (var (node, view) in Views)
        {
            var snapshot = view();
            foreach (var status in Enum.GetValues<PeerStatus>())
            {
                var count = snapshot.Peers.Values.Count(p => p.PeerId != node && p.Status == status);
                yield return new Measurement<int>(count, Tag(node), new KeyValuePair<string, object?>("status", status.ToString().ToLowerInvariant()));
            }
        }
    }
}
