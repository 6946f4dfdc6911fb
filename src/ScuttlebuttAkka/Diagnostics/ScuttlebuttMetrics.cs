using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Transport;

namespace ScuttlebuttAkka.Diagnostics;

/// <summary>
/// The library's <see cref="Meter"/> ("ScuttlebuttAkka"): rounds, datagrams and bytes in and out, drops by reason,
/// rejected gossip, transport errors, peers by status and phi, each tagged with the observing node's id so that
/// OpenTelemetry (or <c>dotnet-counters</c>) tells apart the nodes of one process. docs/observability.md lists them.
/// </summary>
/// <remarks>
/// The counters are observable: each collection reads the totals of every running node's <see cref="GossipStatistics"/>,
/// where they are counted once, so a listener attached late still sees totals since the node started. Every tag value
/// is reported from the start, zero included, so a rate or an alert works before the first occurrence.
/// </remarks>
public static class ScuttlebuttMetrics
{
    /// <summary>The meter's name, to pass to <c>AddMeter</c>.</summary>
    public const string MeterName = "ScuttlebuttAkka";

    private static readonly Meter Meter = new(MeterName, typeof(ScuttlebuttMetrics).Assembly.GetName().Version?.ToString());

    // Keyed by the statistics object rather than the node id: two nodes of one process may share an id (two actor
    // systems in a test), and one stopping must not unregister the other.
    private static readonly ConcurrentDictionary<GossipStatistics, RegisteredNode> Nodes = new();

    private static readonly DropReason[] DropReasons = Enum.GetValues<DropReason>().Where(r => r != DropReason.None).ToArray();
    private static readonly RejectionReason[] RejectionReasons = Enum.GetValues<RejectionReason>();
    private static readonly PeerStatus[] Statuses = Enum.GetValues<PeerStatus>();

    private static readonly Histogram<double> Phi = Meter.CreateHistogram<double>("scuttlebutt.phi", "{phi}", "Failure-detector phi of each live peer at each check.");

    static ScuttlebuttMetrics()
    {
        Meter.CreateObservableCounter("scuttlebutt.rounds", () => PerNode(s => s.Rounds), "{round}", "Gossip rounds started.");
        Meter.CreateObservableCounter("scuttlebutt.datagrams.received", () => PerNode(s => s.DatagramsIn), "{datagram}", "Datagrams that reached the node.");
        Meter.CreateObservableCounter("scuttlebutt.datagrams.sent", () => PerNode(s => s.DatagramsOut), "{datagram}", "Datagrams handed to the transport.");
        Meter.CreateObservableCounter("scuttlebutt.bytes.received", () => PerNode(s => s.BytesIn), "By", "Bytes of the datagrams that reached the node.");
        Meter.CreateObservableCounter("scuttlebutt.bytes.sent", () => PerNode(s => s.BytesOut), "By", "Bytes of the datagrams handed to the transport.");
        Meter.CreateObservableCounter("scuttlebutt.datagrams.dropped", () => PerReason(DropReasons, (s, r) => s.Dropped(r)), "{datagram}", "Received datagrams dropped undecoded, tagged by reason.");
        Meter.CreateObservableCounter("scuttlebutt.gossip.rejected", () => PerReason(RejectionReasons, (s, r) => s.Rejected(r)), "{item}", "Node deltas, digest entries and pairs rejected while applying, tagged by reason.");
        Meter.CreateObservableCounter("scuttlebutt.transport.send_errors", () => PerNode(s => s.Transport.SendErrors), "{error}", "Sends the UDP socket refused.");
        Meter.CreateObservableCounter("scuttlebutt.transport.receive_errors", () => PerNode(s => s.Transport.ReceiveErrors), "{error}", "Receives that failed on the UDP socket.");
        Meter.CreateObservableCounter("scuttlebutt.transport.dropped", TransportDrops, "{datagram}", "Datagrams the UDP transport dropped, tagged by reason.");
        Meter.CreateObservableCounter("scuttlebutt.io.faults", IoFaults, "{fault}", "Work items and socket callbacks that threw on the process's socket loop.");
        Meter.CreateObservableGauge("scuttlebutt.peers", ObservePeers, "{peer}", "Known peers, this node excluded, tagged by status.");
    }

    /// <summary>Reports <paramref name="statistics"/> and the peers of <paramref name="view"/> as node <paramref name="nodeId"/> until <see cref="Unregister"/>.</summary>
    internal static void Register(string nodeId, GossipStatistics statistics, Func<ClusterView> view) =>
        Nodes[statistics] = new RegisteredNode(nodeId, view);

    /// <summary>Stops reporting the node that counts into <paramref name="statistics"/>.</summary>
    internal static void Unregister(GossipStatistics statistics) => Nodes.TryRemove(statistics, out _);

    /// <summary>Whether anyone listens to the phi histogram; phi costs an exp and a log per peer, so it is computed only then.</summary>
    internal static bool PhiEnabled => Phi.Enabled;

    internal static void RecordPhi(string node, double phi) => Phi.Record(phi, Tag(node));

    private static KeyValuePair<string, object?> Tag(string node) => new("node", node);

    private static KeyValuePair<string, object?> Reason(string reason) => new("reason", reason);

    // Nodes of one process that share an id are added up: an observable instrument may report each tag set only once.
    private static IEnumerable<IGrouping<string, KeyValuePair<GossipStatistics, RegisteredNode>>> ByNode() =>
        Nodes.GroupBy(n => n.Value.NodeId, StringComparer.Ordinal);

    private static IEnumerable<Measurement<long>> PerNode(Func<GossipStatistics, long> read)
    {
        foreach (var node in ByNode())
            yield return new Measurement<long>(node.Sum(n => read(n.Key)), Tag(node.Key));
    }

    private static IEnumerable<Measurement<long>> PerReason<TReason>(TReason[] reasons, Func<GossipStatistics, TReason, long> read)
        where TReason : struct, Enum
    {
        foreach (var node in ByNode())
        {
            foreach (var reason in reasons)
                yield return new Measurement<long>(node.Sum(n => read(n.Key, reason)), Tag(node.Key), Reason(reason.ToString()));
        }
    }

    private static IEnumerable<Measurement<long>> TransportDrops()
    {
        foreach (var node in ByNode())
        {
            yield return new Measurement<long>(node.Sum(n => n.Key.Transport.DroppedInboundOverflow), Tag(node.Key), Reason("InboundOverflow"));
            yield return new Measurement<long>(node.Sum(n => n.Key.Transport.DroppedOversized), Tag(node.Key), Reason("Oversized"));
        }
    }

    private static IEnumerable<Measurement<long>> IoFaults()
    {
        // Only while a node runs: reading the shared loop would otherwise start its thread for nothing.
        if (!Nodes.IsEmpty)
            yield return new Measurement<long>(SocketLoop.Shared.Faults);
    }

    private static IEnumerable<Measurement<int>> ObservePeers()
    {
        foreach (var node in ByNode())
        {
            var views = node.Select(n => n.Value.View()).ToArray();
            foreach (var status in Statuses)
            {
                var count = views.Sum(v => v.Peers.Values.Count(p => p.PeerId != node.Key && p.Status == status));
                yield return new Measurement<int>(count, Tag(node.Key), new KeyValuePair<string, object?>("status", status.ToString().ToLowerInvariant()));
            }
        }
    }

    private sealed record RegisteredNode(string NodeId, Func<ClusterView> View);
}
