using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Runtime;
using ScuttlebuttAkka.Protocol.State;

namespace ScuttlebuttAkka.Diagnostics;

/// <summary>
/// What a node's runtime counts, into its <see cref="GossipStatistics"/> only: the meter reads the totals from there
/// (<see cref="ScuttlebuttMetrics"/>), so nothing is counted twice. Phi, a reading rather than a count, goes to the
/// meter's histogram, and only while someone listens.
/// </summary>
internal sealed class NodeTelemetry(string nodeId, GossipStatistics statistics) : RuntimeTelemetry
{
    public override void RoundStarted() => statistics.CountRound();

    public override void DatagramReceived(int bytes) => statistics.CountIn(bytes);

    public override void DatagramSent(int bytes) => statistics.CountOut(bytes);

    public override void DatagramDropped(DropReason reason) => statistics.CountDrop(reason);

    public override void Rejected(ApplyReport report)
    {
        statistics.CountRejected(RejectionReason.Stale, report.Stale);
        statistics.CountRejected(RejectionReason.NonContiguous, report.NonContiguous);
        statistics.CountRejected(RejectionReason.OldGeneration, report.OldGeneration);
        statistics.CountRejected(RejectionReason.FromRemovedNode, report.FromRemovedNode);
        statistics.CountRejected(RejectionReason.UnknownWithoutAddress, report.UnknownWithoutAddress);
        statistics.CountRejected(RejectionReason.OverNodeLimit, report.OverNodeLimit);
        statistics.CountRejected(RejectionReason.OverKeyLimit, report.OverKeyLimit);
        statistics.CountRejected(RejectionReason.Malformed, report.Malformed);
        statistics.CountRejected(RejectionReason.AboutSelf, report.AboutSelf);
    }

    public override bool PhiEnabled => ScuttlebuttMetrics.PhiEnabled;

    public override void Phi(double phi) => ScuttlebuttMetrics.RecordPhi(nodeId, phi);
}
