using ScuttlebuttAkka.Simulation;

namespace ScuttlebuttAkka.Tests.Simulation;

public sealed class NetworkModelTests
{
    private const int Datagrams = 20_000;

    private static (int Arrived, long[] Delays) Send(NetworkModel model, Random random, int count = Datagrams, string from = "a", string to = "b", int length = 100)
    {
        var arrivals = new long[NetworkModel.MaxCopies];
        var delays = new List<long>();
        var arrived = 0;
        for (var i = 0; i < count; i++)
        {
            var copies = model.Route(from, to, length, nowMs: 1000, random, arrivals);
            arrived += copies;
            for (var c = 0; c < copies; c++)
                delays.Add(arrivals[c] - 1000);
        }

        return (arrived, delays.ToArray());
    }

    [Fact]
    public void A_perfect_link_delivers_every_datagram_once_at_once()
    {
        var model = new NetworkModel(1472);

        var (arrived, delays) = Send(model, new Random(1));

        Assert.Equal(Datagrams, arrived);
        Assert.All(delays, d => Assert.Equal(0, d));
        var stats = model.StatisticsOf("a", "b");
        Assert.Equal(Datagrams, stats.Sent);
        Assert.Equal(Datagrams, stats.Delivered);
        Assert.Equal(100L * Datagrams, stats.BytesDelivered);
        Assert.Equal(0, stats.Lost + stats.Duplicated + stats.Reordered + stats.Blocked + stats.Oversized);
    }

    [Fact]
    public void Loss_and_duplication_happen_at_about_their_rates_and_are_counted()
    {
        var model = new NetworkModel(1472, new LinkFaults { Loss = 0.3, Duplication = 0.1 });

        var (arrived, _) = Send(model, new Random(2));

        var stats = model.StatisticsOf("a", "b");
        Assert.InRange(stats.Lost, Datagrams * 0.28, Datagrams * 0.32);
        Assert.InRange(stats.Duplicated, (Datagrams - stats.Lost) * 0.08, (Datagrams - stats.Lost) * 0.12);
        Assert.Equal(Datagrams - stats.Lost + stats.Duplicated, arrived);
        Assert.Equal(arrived, stats.Delivered);
    }

    [Fact]
    public void Delays_stay_within_their_distribution_and_overtaking_counts_as_reordering()
    {
        var interval = TimeSpan.FromSeconds(1);
        var model = new NetworkModel(1472, new LinkFaults { Delay = DelayDistribution.Uniform(TimeSpan.Zero, 3 * interval) });

        var (_, delays) = Send(model, new Random(3));

        Assert.All(delays, d => Assert.InRange(d, 0, 3000));
        Assert.InRange(delays.Average(), 1400, 1600);
        Assert.True(model.StatisticsOf("a", "b").Reordered > Datagrams / 4, "random delays of up to three seconds reorder a burst sent at one instant");
    }

    [Fact]
    public void Exponential_delays_are_capped_and_mostly_short()
    {
        var model = new NetworkModel(1472, new LinkFaults { Delay = DelayDistribution.Exponential(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1)) });

        var (_, delays) = Send(model, new Random(4));

        Assert.All(delays, d => Assert.InRange(d, 0, 1000));
        Assert.InRange(delays.Average(), 170, 210);
        Assert.True(delays.Count(d => d == 1000) > 0, "the cap must be reached by the tail");
    }

    [Fact]
    public void Reordering_holds_a_datagram_back_within_its_window()
    {
        var model = new NetworkModel(1472, new LinkFaults { Reordering = 0.5, ReorderWindow = TimeSpan.FromMilliseconds(400) });

        var (_, delays) = Send(model, new Random(5));

        Assert.All(delays, d => Assert.InRange(d, 0, 400));
        Assert.InRange(delays.Count(d => d > 0), Datagrams * 0.45, Datagrams * 0.51);
    }

    [Fact]
    public void An_oversized_datagram_is_dropped_and_counted_without_touching_the_random_source()
    {
        var model = new NetworkModel(1400, new LinkFaults { Loss = 0.5 });
        var random = new Random(6);
        var reference = new Random(6);

        var copies = model.Route("a", "b", 1401, 0, random, new long[2]);

        Assert.Equal(0, copies);
        Assert.Equal(1, model.StatisticsOf("a", "b").Oversized);
        Assert.Equal(reference.Next(), random.Next());
        Assert.Equal(1, model.Route("a", "b", 1400, 0, new Random(7), new long[2]) + model.StatisticsOf("a", "b").Lost);
    }

    [Fact]
    public void A_two_way_partition_cuts_both_directions_between_its_sides_only()
    {
        var model = new NetworkModel(1472);
        model.Partition(["a", "b"], ["c"]);
        var random = new Random(8);
        var arrivals = new long[2];

        Assert.Equal(0, model.Route("a", "c", 10, 0, random, arrivals));
        Assert.Equal(0, model.Route("c", "b", 10, 0, random, arrivals));
        Assert.Equal(1, model.Route("a", "b", 10, 0, random, arrivals));
        Assert.Equal(1, model.Route("d", "c", 10, 0, random, arrivals));
        Assert.Equal(1, model.StatisticsOf("a", "c").Blocked);
        Assert.True(model.IsPartitioned);

        model.Heal();

        Assert.False(model.IsPartitioned);
        Assert.Equal(1, model.Route("a", "c", 10, 0, random, arrivals));
    }

    [Fact]
    public void A_one_way_partition_cuts_only_from_the_first_side()
    {
        var model = new NetworkModel(1472);
        model.Partition(["a"], ["b"], PartitionDirection.OneWay);
        var arrivals = new long[2];

        Assert.Equal(0, model.Route("a", "b", 10, 0, new Random(9), arrivals));
        Assert.Equal(1, model.Route("b", "a", 10, 0, new Random(9), arrivals));
        Assert.True(model.IsBlocked("a", "b"));
        Assert.False(model.IsBlocked("b", "a"));
    }

    [Fact]
    public void A_node_cannot_be_on_both_sides_of_a_partition()
    {
        var model = new NetworkModel(1472);

        Assert.Throws<ArgumentException>(() => model.Partition(["a", "b"], ["b"]));
    }

    [Fact]
    public void Faults_of_one_link_override_the_defaults_and_can_be_reset()
    {
        var model = new NetworkModel(1472);
        model.SetFaults("a", "b", new LinkFaults { Loss = 1 });

        Assert.Equal(0, Send(model, new Random(10), 100).Arrived);
        Assert.Equal(100, Send(model, new Random(10), 100, from: "b", to: "a").Arrived);

        model.SetFaults("a", "b", null);

        Assert.Equal(100, Send(model, new Random(10), 100).Arrived);
    }

    [Fact]
    public void The_same_random_sequence_gives_the_same_fates()
    {
        var faults = new LinkFaults { Loss = 0.2, Duplication = 0.2, Reordering = 0.2, Delay = DelayDistribution.Exponential(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1)) };

        var first = Send(new NetworkModel(1472, faults), new Random(11), 2000);
        var second = Send(new NetworkModel(1472, faults), new Random(11), 2000);
        var other = Send(new NetworkModel(1472, faults), new Random(12), 2000);

        Assert.Equal(first.Delays, second.Delays);
        Assert.NotEqual(first.Delays, other.Delays);
    }

    [Fact]
    public void Totals_add_up_every_link()
    {
        var model = new NetworkModel(1472);
        Send(model, new Random(13), 10, "a", "b");
        Send(model, new Random(13), 5, "b", "a");
        model.CountUndeliverable("a", "nowhere:1");

        var totals = model.Totals();

        Assert.Equal(15, totals.Sent);
        Assert.Equal(1, totals.Undeliverable);
        Assert.Equal(["a->b", "a->nowhere:1", "b->a"], model.Links().Select(l => $"{l.From}->{l.To}"));
    }

    [Fact]
    public void Invalid_faults_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinkFaults { Loss = 1.5 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinkFaults { Duplication = -0.1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinkFaults { Reordering = double.NaN }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => DelayDistribution.Uniform(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NetworkModel(1472, new LinkFaults { Loss = 2 }));
    }
}
