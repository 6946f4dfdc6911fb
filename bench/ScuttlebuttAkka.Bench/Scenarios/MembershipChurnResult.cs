using ScuttlebuttAkka.Bench.Reporting;

namespace ScuttlebuttAkka.Bench.Scenarios;

/// <summary>How fast a new node became known to all, and how fast its graceful leave was reported by all.</summary>
/// <param name="Trials">Nodes added (and then removed) one at a time.</param>
/// <param name="DiscoveryTimedOut">Trials in which some node never saw the new node.</param>
/// <param name="KnownByAll">From the new node running until the last existing node saw it join.</param>
/// <param name="LeaveTimedOut">Trials in which some node never reported the leave.</param>
/// <param name="LeftAtAll">From the leave request until the last other node reported it left.</param>
/// <param name="LeaveSeenAsDown">Reports of a leaving node as down instead of left.</param>
internal sealed record MembershipChurnResult(int Trials, int DiscoveryTimedOut, Distribution KnownByAll, int LeaveTimedOut, Distribution LeftAtAll, int LeaveSeenAsDown);
