using System.Net;
using ScuttlebuttAkka.Protocol.Reconciliation;

namespace ScuttlebuttAkka.Protocol.Runtime;

/// <summary>How a driver runs a <see cref="NodeRuntime"/>: what it counts, what it publishes, and the experiments' switches.</summary>
internal sealed record NodeRuntimeOptions
{
    /// <summary>The defaults: every peer's failure detector on, the view published, nothing counted.</summary>
    public static readonly NodeRuntimeOptions Default = new();

    /// <summary>
    /// True (the default) runs a failure detector for every peer. False takes every known peer as alive until it
    /// announces a leave, with no detector and no liveness checks: dissemination experiments on thousands of simulated
    /// nodes need neither the detectors' memory nor their checks, and on a network without failures they change no
    /// gossip decision.
    /// </summary>
    public bool FailureDetection { get; init; } = true;

    /// <summary>
    /// True (the default) keeps <see cref="NodeRuntime.View"/>, an immutable snapshot for readers on other threads.
    /// A simulation of thousands of nodes, which reads the state directly, can save its memory.
    /// </summary>
    public bool PublishView { get; init; } = true;

    /// <summary>Which pairs a delta that cannot carry everything takes first (scuttle-depth unless an experiment compares).</summary>
    public DeltaOrdering DeltaOrdering { get; init; } = DeltaOrdering.Depth;

    /// <summary>
    /// Turns an address whose host is an IP literal into an endpoint; null when it is not one (a host name, which the
    /// runtime then asks its driver to resolve). Null uses <see cref="Wire.GossipAddress.TryParseEndPoint"/>; a
    /// simulator of many nodes passes one that returns a shared endpoint per address.
    /// </summary>
    public Func<string, IPEndPoint?>? ParseEndPoint { get; init; }

    /// <summary>Where the runtime counts what it does; null counts nothing.</summary>
    public RuntimeTelemetry? Telemetry { get; init; }

    /// <summary>Notices below this level are not produced (a driver whose debug log is off saves their text).</summary>
    public NoticeLevel MinimumNoticeLevel { get; init; } = NoticeLevel.Info;
}
