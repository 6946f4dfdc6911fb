namespace ScuttlebuttAkka.Simulation.Experiments;

/// <summary>One cluster size of the scale experiment: how many nodes, how they are configured, how many trials.</summary>
/// <param name="Nodes">Cluster size.</param>
/// <param name="NodeSettings">What every node runs with (the gossip interval is one round); eager push as set here.</param>
/// <param name="Trials">Writes measured, one at a time.</param>
/// <param name="Seed">Seed of the simulation and of the experiment's choices.</param>
internal sealed record ScaleOptions(int Nodes, ScuttlebuttSettings NodeSettings, int Trials, int Seed)
{
    /// <summary>Rounds a trial may take before it counts as not propagated.</summary>
    public int MaxRoundsPerTrial { get; init; } = 200;

    /// <summary>
    /// True forms the cluster by gossip from the seeds and reports how many rounds it took; false introduces every node
    /// to every other at once (<see cref="ClusterSimulator.IntroduceAll"/>), for sizes where formation from scratch
    /// would take most of the run.
    /// </summary>
    public bool FormByGossip { get; init; } = true;

    /// <summary>Rounds formation may take before the experiment gives up on the size.</summary>
    public int MaxFormationRounds { get; init; } = 2000;
}
