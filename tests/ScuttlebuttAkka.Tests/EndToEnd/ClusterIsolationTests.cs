using Akka.TestKit.Xunit2;
using ScuttlebuttAkka.Protocol;
using Xunit.Abstractions;

namespace ScuttlebuttAkka.Tests.EndToEnd;

/// <summary>
/// Two clusters on one machine, each node seeded with a node of the other cluster too and contacting its seeds every
/// round: they talk to each other all the time and still never merge, whether they differ by cluster name or, with
/// the same name, by encryption key.
/// </summary>
public sealed class ClusterIsolationTests : TestKit
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    private readonly ITestOutputHelper _output;

    public ClusterIsolationTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Two_clusters_with_different_names_never_merge()
    {
        await using var blue = new LocalCluster(Sys, clusterName: "blue-" + Guid.NewGuid().ToString("N")[..6]);
        await using var green = new LocalCluster(Sys, clusterName: "green-" + Guid.NewGuid().ToString("N")[..6]);

        await StartCrossSeededAsync(blue, green, s => s);

        AssertSeparateAfterCrossTraffic(blue, green, DropReason.WrongCluster);
    }

    [Fact]
    public async Task Two_clusters_with_the_same_name_and_different_keys_never_merge()
    {
        var name = "shared-" + Guid.NewGuid().ToString("N")[..6];
        await using var blue = new LocalCluster(Sys, clusterName: name);
        await using var green = new LocalCluster(Sys, clusterName: name);
        var blueKey = new EncryptionSettings(KeyRing.Create(Enumerable.Repeat((byte)0xB1, 32).ToArray()), EncryptionMode.Required);
        var greenKey = new EncryptionSettings(KeyRing.Create(Enumerable.Repeat((byte)0x6E, 32).ToArray()), EncryptionMode.Required);

        await StartCrossSeededAsync(blue, green, s => s with { Encryption = s.NodeId.StartsWith("blue", StringComparison.Ordinal) ? blueKey : greenKey });

        AssertSeparateAfterCrossTraffic(blue, green, DropReason.UnknownKey);
    }

    /// <summary>Three nodes per cluster; every node after the first of each is seeded with the first of both clusters.</summary>
    private static async Task StartCrossSeededAsync(LocalCluster blue, LocalCluster green, Func<ScuttlebuttSettings, ScuttlebuttSettings> configure)
    {
        // Seeds are contacted every round, not only when alone, so the clusters keep knocking on each other's door.
        ScuttlebuttSettings Configure(ScuttlebuttSettings s) => configure(s with { SeedGossipProbability = 1.0 });
        var blue1 = await blue.StartAsync("blue-1", Configure);
        var green1 = await green.StartAsync("green-1", Configure, blue1.Address);
        for (var i = 2; i <= 3; i++)
        {
            await blue.StartAsync($"blue-{i}", Configure, blue1.Address, green1.Address);
            await green.StartAsync($"green-{i}", Configure, green1.Address, blue1.Address);
        }
    }

    private void AssertSeparateAfterCrossTraffic(LocalCluster blue, LocalCluster green, DropReason expected)
    {
        // Each cluster converges on its own members...
        foreach (var cluster in new[] { blue, green })
        {
            AwaitAssert(() => Assert.All(cluster.Nodes, n =>
                Assert.Equal(cluster.Nodes.Select(m => m.NodeId).Where(id => id != n.NodeId), n.Peers.Select(p => p.PeerId))), Generous);
        }

        // ...while the other cluster's datagrams keep arriving and being dropped (each first node is the other's seed).
        var blue1 = blue.Nodes[0];
        var green1 = green.Nodes[0];
        AwaitAssert(() =>
        {
            Assert.True(blue1.Statistics.Dropped(expected) >= 20, $"blue-1 dropped {blue1.Statistics.Dropped(expected)} as {expected}");
            Assert.True(green1.Statistics.Dropped(expected) >= 20, $"green-1 dropped {green1.Statistics.Dropped(expected)} as {expected}");
        }, Generous);

        foreach (var node in blue.Nodes.Concat(green.Nodes))
        {
            var drops = node.Statistics.DroppedByReason();
            _output.WriteLine($"{node.NodeId}: peers {string.Join(",", node.Peers.Select(p => p.PeerId))}; drops {string.Join(", ", drops)}");
            var own = node.NodeId.StartsWith("blue", StringComparison.Ordinal) ? "blue" : "green";
            Assert.All(node.View.Peers.Keys, id => Assert.StartsWith(own, id, StringComparison.Ordinal));
            Assert.Equal(3, node.View.Peers.Count);
            // The only thing dropped is the other cluster's traffic.
            Assert.All(drops.Keys, reason => Assert.Equal(expected, reason));
        }
    }
}
