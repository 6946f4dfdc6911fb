using Akka.Discovery;

namespace ScuttlebuttAkka.Seeds;

/// <summary>
/// Supplies the addresses a node contacts when it knows no live peer (the Go library's <c>SeedCB</c>). Implement it, or
/// take one of the providers made by <see cref="List"/>, <see cref="Callback(Func{IEnumerable{string}})"/> and
/// <see cref="Discovery"/>.
/// </summary>
public interface ISeedProvider
{
    /// <summary>Returns "host:port" addresses to send a digest to; may be empty. Called again whenever the node is alone.</summary>
    Task<IReadOnlyList<string>> GetSeedsAsync(CancellationToken cancellationToken);

    /// <summary>Always the same seeds (what <see cref="ScuttlebuttSettings.Seeds"/> gives); each is checked now.</summary>
    static ISeedProvider List(IEnumerable<string> seeds) => new StaticSeedProvider(seeds);

    /// <summary>Seeds from the application's callback, asked again each time the node is alone (a file, a service registry...).</summary>
    static ISeedProvider Callback(Func<IEnumerable<string>> callback) => new CallbackSeedProvider(callback);

    /// <summary>Seeds from the application's asynchronous callback, asked again each time the node is alone.</summary>
    static ISeedProvider Callback(Func<CancellationToken, Task<IReadOnlyList<string>>> callback) => new CallbackSeedProvider(callback);

    /// <summary>
    /// Seeds from Akka.Discovery: the targets of <paramref name="lookup"/> on <paramref name="discovery"/> (Kubernetes, a
    /// configuration list, DNS SRV...), each at its port or <paramref name="defaultPort"/>.
    /// </summary>
    static ISeedProvider Discovery(ServiceDiscovery discovery, Lookup lookup, int defaultPort, TimeSpan? timeout = null) =>
        new DiscoverySeedProvider(discovery, lookup, defaultPort, timeout);
}
