namespace ScuttlebuttAkka.Protocol;

/// <summary>Who a node gossips with in one round: the choice is pure so tests and simulations reach it directly.</summary>
public static class GossipTargets
{
    /// <summary>How many seeds a node that knows no live peer contacts in one round.</summary>
    public const int SeedsWhenAlone = 3;

    /// <summary>
    /// Picks this round's targets: one random live peer; with probability <paramref name="downProbability"/> also a
    /// random down peer (to notice recoveries); with probability <paramref name="seedProbability"/> also a random seed
    /// (to heal partitions). With no live peer, up to <see cref="SeedsWhenAlone"/> random seeds instead.
    /// Peers are returned as ids in <paramref name="peers"/>, seeds as addresses in <paramref name="seedAddresses"/>.
    /// </summary>
    public static void Choose(
        IReadOnlyList<string> live,
        IReadOnlyList<string> down,
        IReadOnlyList<string> seeds,
        double downProbability,
        double seedProbability,
        Random random,
        List<string> peers,
        List<string> seedAddresses)
    {
        ArgumentNullException.ThrowIfNull(random);
        peers.Clear();
        seedAddresses.Clear();
        if (live.Count > 0)
            peers.Add(live[random.Next(live.Count)]);
        if (down.Count > 0 && random.NextDouble() < downProbability)
            peers.Add(down[random.Next(down.Count)]);
        if (seeds.Count == 0)
            return;
        if (live.Count == 0)
        {
            // Alone: try several seeds at once so one dead seed does not keep us out.
            var order = Enumerable.Range(0, seeds.Count).ToArray();
            random.Shuffle(order);
            foreach (var i in order.Take(SeedsWhenAlone))
                seedAddresses.Add(seeds[i]);
        }
        else if (random.NextDouble() < seedProbability)
        {
            seedAddresses.Add(seeds[random.Next(seeds.Count)]);
        }
    }
}
