namespace ScuttlebuttAkka.Bench.Clusters;

/// <summary>
/// A cluster the scenarios measure: ours over real UDP, ours on the simulator in virtual time, or Akka.Cluster + DistributedData.
/// Scenarios only start, write to, crash and stop nodes through this interface and read what the nodes noticed from
/// <see cref="Log"/>; time is read and waited on through it too, so an implementation on virtual time plugs in unchanged.
/// </summary>
internal interface IClusterUnderTest : IAsyncDisposable
{
    /// <summary>A one-line description for reports ("ScuttlebuttAkka, UDP loopback, 100 ms").</summary>
    string Description { get; }

    /// <summary>
    /// True when <see cref="Now"/> is the wall clock, so the process's CPU time over a window is what the nodes cost;
    /// false on virtual time, where CPU per node per second means nothing and is not reported.
    /// </summary>
    bool RunsInRealTime { get; }

    /// <summary>What the nodes noticed, stamped on <see cref="Now"/>.</summary>
    ObservationLog Log { get; }

    /// <summary>The ids of the nodes that are running (not crashed, not left), in start order.</summary>
    IReadOnlyList<string> RunningNodes { get; }

    /// <summary>Time since the cluster was created, on the cluster's clock.</summary>
    TimeSpan Now { get; }

    /// <summary>Total bytes sent by all nodes so far, or null when the implementation cannot count them.</summary>
    long? BytesSent { get; }

    /// <summary>Starts one more node, seeded with the first running node; returns its id once it is running.</summary>
    Task<string> StartNodeAsync(CancellationToken cancellationToken);

    /// <summary>Makes <paramref name="nodeId"/> write <paramref name="value"/> as its benchmark value.</summary>
    void Write(string nodeId, string value);

    /// <summary>Stops <paramref name="nodeId"/> without telling anyone, as a crash would.</summary>
    Task CrashAsync(string nodeId);

    /// <summary>Makes <paramref name="nodeId"/> leave gracefully and stops it.</summary>
    Task LeaveAsync(string nodeId);

    /// <summary>Waits until <paramref name="condition"/> holds (re-checked at each observation); false on timeout.</summary>
    Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Lets <paramref name="duration"/> pass on the cluster's clock.</summary>
    Task DelayAsync(TimeSpan duration, CancellationToken cancellationToken);
}
