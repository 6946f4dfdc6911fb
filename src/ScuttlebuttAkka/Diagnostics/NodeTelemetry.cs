using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Runtime;
using ScuttlebuttAkka.Protocol.State;

namespace ScuttlebuttAkka.Diagnostics;

/// <summary>What a node's runtime counts, into its <see cref="GossipStatistics"/> and the library's meter (<see cref="ScuttlebuttMetrics"/>).</summary>
internal sealed class NodeTelemetry(string nodeId, GossipStatistics statistics) : RuntimeTelemetry
{
    public override void RoundStarted()
    {
        statistics.CountRound();
        ScuttlebuttMetrics.Round(nodeId);
    }

    public override void DatagramReceived(int bytes)
    {
        statistics.CountIn(bytes);
        ScuttlebuttMetrics.Received(nodeId, bytes);
    }

    public override void DatagramSent(int bytes)
    {
        statistics.CountOut(bytes);
        ScuttlebuttMetrics.Sent(nodeId, bytes);
    }

    public override void DatagramDropped(DropReason reason)
    {
        statistics.CountDrop(reason);
        ScuttlebuttMetrics.Drop(nodeId, reason);
    }

    public override void Rejected(ApplyReport report)
    {
        statistics.CountRejected(report.Rejected);
        ScuttlebuttMetrics.Reject(nodeId, report);
    }

    public override bool PhiEnabled => ScuttlebuttMetrics.PhiEnabled;

    public override void Phi(double phi) => ScuttlebuttMetrics.RecordPhi(nodeId, phi);
}
