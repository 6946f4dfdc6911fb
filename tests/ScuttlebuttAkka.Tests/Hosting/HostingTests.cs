using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ScuttlebuttAkka.Actors;
using ScuttlebuttAkka.Hosting;

namespace ScuttlebuttAkka.Tests.Hosting;

public sealed class HostingTests
{
    [Fact]
    public async Task WithScuttlebutt_starts_a_gossiper_registered_for_injection_with_the_options_applied()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAkka("hosting-test", akka => akka.WithScuttlebutt(new ScuttlebuttOptions
        {
            Preset = "local",
            NodeId = "hosted-1",
            ClusterName = "hosting",
            Bind = "127.0.0.1:0",
            InitialState = new Dictionary<string, string> { ["role"] = "api", ["quote\"d"] = "a\\b" },
            GossipInterval = TimeSpan.FromMilliseconds(150),
        }));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var gossiper = host.Services.GetRequiredService<IRequiredActor<GossiperActor>>();
            var actor = await gossiper.GetAsync();
            var address = await actor.Ask<LocalAddress>(GetLocalAddress.Instance, TimeSpan.FromSeconds(10));
            Assert.Equal("hosted-1", address.NodeId);
            Assert.StartsWith("127.0.0.1:", address.Advertised, StringComparison.Ordinal);

            var view = await actor.Ask<ClusterView>(GetClusterView.Instance, TimeSpan.FromSeconds(10));
            Assert.True(view.TryLookup("hosted-1", "role", out var role));
            Assert.Equal("api", role);
            Assert.True(view.TryLookup("hosted-1", "quote\"d", out var quoted));
            Assert.Equal("a\\b", quoted);

            var settings = ScuttlebuttSettings.Create(host.Services.GetRequiredService<ActorSystem>());
            Assert.Equal(TimeSpan.FromMilliseconds(150), settings.GossipInterval);
            Assert.Equal("hosting", settings.ClusterName);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
