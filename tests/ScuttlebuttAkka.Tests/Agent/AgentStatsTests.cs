using System.Text.Json;
using Akka.TestKit.Xunit2;
using ScuttlebuttAkka.Agent;
using ScuttlebuttAkka.Tests.EndToEnd;

namespace ScuttlebuttAkka.Tests.Agent;

/// <summary>The agent's <c>stats</c> command shows the node's statistics, its UDP socket's errors and drops included.</summary>
public sealed class AgentStatsTests : TestKit
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Stats_shows_drops_and_rejections_by_reason_and_the_socket_errors()
    {
        await using var cluster = new LocalCluster(Sys);
        // A seed of the other address family: every send to it is a socket error.
        var node = await cluster.StartAsync("stats-node", seeds: "[::1]:9");
        using (var outsider = new RawUdpPeer())
            outsider.Send([0x01], node.BoundEndPoint);
        AwaitAssert(() =>
        {
            Assert.Equal(1, node.Statistics.DroppedTotal);
            Assert.True(node.Statistics.Transport.SendErrors > 0);
        }, Generous);

        var stdout = new StringWriter();
        var shell = new CommandShell(node, new AgentOutput(stdout, TextWriter.Null, OutputFormat.Json, node.NodeId), _ => { });
        await shell.ExecuteAsync("stats", CancellationToken.None);
        var stats = JsonDocument.Parse(stdout.ToString()).RootElement;

        Assert.Equal("stats", stats.GetProperty("type").GetString());
        Assert.Equal(1, stats.GetProperty("dropped_by_reason").GetProperty("TooShort").GetInt64());
        Assert.Equal(JsonValueKind.Object, stats.GetProperty("rejected_by_reason").ValueKind);
        Assert.True(stats.GetProperty("send_errors").GetInt64() > 0);
        Assert.True(stats.GetProperty("receive_errors").GetInt64() >= 0);
        Assert.Equal(0, stats.GetProperty("dropped_inbound_overflow").GetInt64());
        Assert.Equal(0, stats.GetProperty("dropped_oversized").GetInt64());
    }
}
