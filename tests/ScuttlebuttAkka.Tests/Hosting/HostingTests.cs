using Akka.Actor;
using Akka.Actor.Dsl;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ScuttlebuttAkka.Actors;
using ScuttlebuttAkka.Hosting;

namespace ScuttlebuttAkka.Tests.Hosting;

public sealed class HostingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task The_node_facade_is_injected_beside_the_gossiper_and_reads_the_view_without_asking()
    {
        using var host = TestHost.Build("hosting-di", akka => akka.WithScuttlebutt(new ScuttlebuttOptions
        {
            Preset = ScuttlebuttPreset.Local,
            NodeId = "hosted-di",
            Bind = "127.0.0.1:0",
            InitialState = new Dictionary<string, string> { ["role"] = "api" },
        }));

        // Before the host starts: the facade does not exist yet, but the required-node handle can be waited on.
        var early = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<ScuttlebuttNode>());
        Assert.Contains("IRequiredScuttlebuttNode", early.Message, StringComparison.Ordinal);
        var required = host.Services.GetRequiredService<IRequiredScuttlebuttNode>();
        var pending = required.GetAsync();
        Assert.False(pending.IsCompleted);

        await host.StartAsync();
        try
        {
            var node = host.Services.GetRequiredService<ScuttlebuttNode>();
            Assert.Same(node, await pending.WaitAsync(Patience));
            Assert.Same(node, required.Node);
            Assert.Same(node, host.Services.GetRequiredService<ScuttlebuttNode>());

            var gossiper = await host.Services.GetRequiredService<IRequiredActor<GossiperActor>>().GetAsync();
            Assert.Equal(node.Gossiper, gossiper);
            Assert.Same(host.Services.GetRequiredService<ActorSystem>(), node.System);

            Assert.Equal("hosted-di", node.NodeId);
            Assert.StartsWith("127.0.0.1:", node.Address, StringComparison.Ordinal);
            Assert.Equal("api", node.Lookup("hosted-di", "role"));
            var version = await node.UpdateLocalAsync("status", "ready");
            Assert.True(version > 0);
            Assert.Equal("ready", node.Lookup("hosted-di", "status"));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Without_AddScuttlebuttNode_the_gossiper_is_still_registered()
    {
        using var host = TestHost.Build("hosting-no-facade", akka => akka.WithScuttlebutt(new ScuttlebuttOptions
        {
            Preset = ScuttlebuttPreset.Local,
            NodeId = "hosted-bare",
            Bind = "127.0.0.1:0",
        }), addNode: false);
        await host.StartAsync();
        try
        {
            Assert.Null(host.Services.GetService<ScuttlebuttNode>());
            var gossiper = await host.Services.GetRequiredService<IRequiredActor<GossiperActor>>().GetAsync();
            var address = await gossiper.Ask<LocalAddress>(GetLocalAddress.Instance, Patience);
            Assert.Equal("hosted-bare", address.NodeId);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task A_second_WithScuttlebutt_fails_the_start_with_a_clear_message()
    {
        using var host = TestHost.Build("hosting-twice", akka => akka
            .WithScuttlebutt(new ScuttlebuttOptions { NodeId = "first", Bind = "127.0.0.1:0" })
            .WithScuttlebutt(new ScuttlebuttOptions { NodeId = "second", Bind = "127.0.0.1:0" }));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("WithScuttlebutt was already called", error.Message, StringComparison.Ordinal);
        Assert.Contains("ScuttlebuttNode.StartAsync", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_that_cannot_bind_fails_the_start_and_the_waiters()
    {
        using var blocker = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        blocker.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var taken = ((System.Net.IPEndPoint)blocker.LocalEndPoint!).Port;
        using var host = TestHost.Build("hosting-bind-fails", akka => akka.WithScuttlebutt(new ScuttlebuttOptions
        {
            NodeId = "unbound",
            Bind = $"127.0.0.1:{taken}",
        }));
        var required = host.Services.GetRequiredService<IRequiredScuttlebuttNode>();
        var pending = required.GetAsync();

        await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
        await Assert.ThrowsAnyAsync<Exception>(() => pending.WaitAsync(Patience));
        var error = Assert.Throws<InvalidOperationException>(() => required.Node);
        Assert.Contains("failed to start", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopping_a_host_leaves_the_cluster_so_peers_report_left_not_down()
    {
        using var first = TestHost.Build("hosting-leave-a", akka => akka.WithScuttlebutt(new ScuttlebuttOptions
        {
            Preset = ScuttlebuttPreset.Local,
            NodeId = "leaver",
            Bind = "127.0.0.1:0",
        }));
        await first.StartAsync();
        var leaver = first.Services.GetRequiredService<ScuttlebuttNode>();

        using var second = TestHost.Build("hosting-leave-b", akka => akka.WithScuttlebutt(new ScuttlebuttOptions
        {
            Preset = ScuttlebuttPreset.Local,
            NodeId = "stayer",
            Bind = "127.0.0.1:0",
            Seeds = new[] { leaver.Address },
        }));
        await second.StartAsync();
        try
        {
            var stayer = second.Services.GetRequiredService<ScuttlebuttNode>();
            var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var left = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var down = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var watcher = stayer.System.ActorOf(act => act.ReceiveAny((m, _) =>
            {
                switch (m)
                {
                    case PeerEvent.Joined { PeerId: "leaver" }: joined.TrySetResult(); break;
                    case PeerEvent.Left { PeerId: "leaver" }: left.TrySetResult(); break;
                    case PeerEvent.Down { PeerId: "leaver" }: down.TrySetResult(); break;
                }
            }));
            await stayer.SubscribeAsync(watcher, initialStateAsEvents: true);
            await joined.Task.WaitAsync(Patience);

            await first.StopAsync();

            await left.Task.WaitAsync(Patience);
            Assert.False(down.Task.IsCompleted, "the peer was reported down before it was reported left");
        }
        finally
        {
            await second.StopAsync();
        }
    }
}
