using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Simulation.Experiments;

/// <summary>
/// The flow-control experiment of van Renesse et al. (LADIS 2008) on the simulator: participants updating their keys,
/// a message budget imposed part way through, the update rate doubled for a while, then quiet. Times are virtual.
/// </summary>
internal sealed record PaperOptions
{
    /// <summary>Participants (nodes).</summary>
    public int Participants { get; init; } = 128;

    /// <summary>Keys each participant owns and updates.</summary>
    public int KeysPerParticipant { get; init; } = 64;

    /// <summary>Updates per participant per second before and after the doubled stretch.</summary>
    public double UpdatesPerSecond { get; init; } = 1.0;

    /// <summary>From this second the message budget is <see cref="BudgetBytes"/>; before, it is the whole datagram (<see cref="WireFormat.MaximumBudget"/>).</summary>
    public double BudgetFromSeconds { get; init; } = 15;

    /// <summary>The message budget imposed, in bytes of one gossip message.</summary>
    public int BudgetBytes { get; init; } = 1200;

    /// <summary>The update rate is doubled from this second ...</summary>
    public double DoubleFromSeconds { get; init; } = 25;

    /// <summary>... until this one.</summary>
    public double DoubleUntilSeconds { get; init; } = 75;

    /// <summary>Updates stop at this second.</summary>
    public double StopUpdatesSeconds { get; init; } = 120;

    /// <summary>The run ends at this second.</summary>
    public double DurationSeconds { get; init; } = 180;

    /// <summary>Seed of the simulation and of the updates (the same for both orderings, so they see the same load).</summary>
    public int Seed { get; init; } = 42;
}
