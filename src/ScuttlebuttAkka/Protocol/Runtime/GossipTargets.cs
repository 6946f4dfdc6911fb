using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Protocol.Runtime;

/// <summary>Who a node gossips with in one round: the choice is pure so tests and simulations reach it directly.</summary>
internal static class GossipTargets
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
            ChooseSeeds(seeds, random, seedAddresses);
        else if (random.NextDouble() < seedProbability)
            seedAddresses.Add(seeds[random.Next(seeds.Count)]);
    }

    /// <summary>
    /// Up to <see cref="SeedsWhenAlone"/> distinct random seeds, appended to <paramref name="seedAddresses"/>: what a
    /// node that knows no live peer contacts, several at once so that one dead seed does not keep it out.
    /// </summary>
    public static void ChooseSeeds(IReadOnlyList<string> seeds, Random random, List<string> seedAddresses)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(seedAddresses);
        var order = Enumerable.Range(0, seeds.Count).ToArray();
        random.Shuffle(order);
        foreach (var i in order.Take(SeedsWhenAlone))
            seedAddresses.Add(seeds[i]);
    }

    /// <summary>
    /// The seeds worth contacting: well-formed addresses other than this node's own <paramref name="selfAddress"/>, in
    /// the order given, without repeats.
    /// </summary>
    public static string[] UsableSeeds(IEnumerable<string> seeds, string selfAddress)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        return seeds.Where(s => GossipAddress.TryParse(s, out _, out _) && s != selfAddress).Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>
    /// The peers that get an eager push of a fresh write: <paramref name="fanout"/> distinct random peers of
    /// <paramref name="live"/> (all of them when there are fewer), written to <paramref name="peers"/>. Costs time in
    /// the fanout, not in the number of peers: a push is sent for every fresh write and every forward.
    /// </summary>
    public static void ChooseEagerPush(IReadOnlyList<string> live, int fanout, Random random, List<string> peers)
    {
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(peers);
        ArgumentOutOfRangeException.ThrowIfNegative(fanout);
        peers.Clear();
        if (fanout == 0 || live.Count == 0)
            return;
        if (2 * fanout >= live.Count)
        {
            // Most of them: a shuffle of all.
            peers.AddRange(live);
            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(peers));
            if (peers.Count > fanout)
                peers.RemoveRange(fanout, peers.Count - fanout);
            return;
        }

        // Few of many: draw until enough distinct ones came up (fewer than two draws per pick on average).
        while (peers.Count < fanout)
        {
            var peer = live[random.Next(live.Count)];
            if (!peers.Contains(peer))
                peers.Add(peer);
        }
    }
}
