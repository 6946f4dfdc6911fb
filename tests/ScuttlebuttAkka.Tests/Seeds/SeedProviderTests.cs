using Akka.Discovery;
using Akka.TestKit.Xunit2;
using ScuttlebuttAkka.Seeds;

namespace ScuttlebuttAkka.Tests.Seeds;

public sealed class SeedProviderTests : TestKit
{
    public SeedProviderTests()
        : base("""
            akka.discovery.method = config
            akka.discovery.config.services.gossip.endpoints = ["127.0.0.1:7001", "127.0.0.2"]
            """)
    {
    }

    [Fact]
    public async Task Akka_discovery_targets_become_seeds_with_the_default_port_where_none_is_given()
    {
        var provider = new DiscoverySeedProvider(Discovery.Get(Sys).Default, new Lookup("gossip"), defaultPort: 7474);
        var seeds = await provider.GetSeedsAsync(CancellationToken.None);
        Assert.Equal(new[] { "127.0.0.1:7001", "127.0.0.2:7474" }, seeds.OrderBy(s => s, StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_callback_is_asked_afresh_every_time()
    {
        var calls = 0;
        var provider = new CallbackSeedProvider(() => new[] { $"127.0.0.1:{7000 + ++calls}" });
        Assert.Equal("127.0.0.1:7001", Assert.Single(await provider.GetSeedsAsync(CancellationToken.None)));
        Assert.Equal("127.0.0.1:7002", Assert.Single(await provider.GetSeedsAsync(CancellationToken.None)));
    }

    [Fact]
    public void A_static_list_rejects_a_bad_address_at_once()
    {
        var ex = Assert.Throws<ArgumentException>(() => new StaticSeedProvider(new[] { "127.0.0.1:7001", "nope" }));
        Assert.Contains("nope", ex.Message);
    }
}
