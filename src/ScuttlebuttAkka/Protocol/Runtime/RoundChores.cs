using ScuttlebuttAkka.Protocol.State;

namespace ScuttlebuttAkka.Protocol.Runtime;

/// <summary>
/// The bookkeeping a node does on its own state at the start of every round, before it gossips: bump the heartbeat,
/// expire keys whose time to live has passed, and now and then collect old tombstones. Shared by the actor runtime
/// and the simulator so both keep the same cadence.
/// </summary>
internal static class RoundChores
{
    /// <summary>Rounds between two garbage collections: about one second's worth, since collecting walks every pair.</summary>
    public static long CollectionPeriod(TimeSpan gossipInterval) =>
        Math.Max(1, (long)(1000 / Math.Max(1, gossipInterval.TotalMilliseconds)));

    /// <summary>
    /// Runs round <paramref name="roundNumber"/>'s chores on <paramref name="state"/> at <paramref name="nowMs"/>;
    /// returns true when some of this node's own keys expired, so its published view must be refreshed.
    /// </summary>
    public static bool Run(ClusterState state, long roundNumber, long nowMs, TimeSpan gossipInterval, TimeSpan tombstoneGracePeriod)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.BumpHeartbeat();
        var expired = state.ExpireKeys(nowMs).Count > 0;
        if (roundNumber % CollectionPeriod(gossipInterval) == 0)
            state.CollectGarbage(nowMs, (long)tombstoneGracePeriod.TotalMilliseconds);
        return expired;
    }
}
