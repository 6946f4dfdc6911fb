using System.Globalization;
using Akka.Discovery;

namespace ScuttlebuttAkka.Seeds;

/// <summary>Seeds from Akka.Discovery: every resolved target of a service becomes a seed "host:port".</summary>
internal sealed class DiscoverySeedProvider : ISeedProvider
{
    private readonly ServiceDiscovery _discovery;
    private readonly Lookup _lookup;
    private readonly TimeSpan _timeout;
    private readonly int _defaultPort;

    /// <summary>
    /// Looks up <paramref name="lookup"/> with <paramref name="discovery"/>; targets without a port get <paramref name="defaultPort"/>.
    /// </summary>
    public DiscoverySeedProvider(ServiceDiscovery discovery, Lookup lookup, int defaultPort, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(discovery);
        ArgumentNullException.ThrowIfNull(lookup);
        if (defaultPort is < 1 or > 65535)
            throw new ArgumentOutOfRangeException(nameof(defaultPort), defaultPort, "The default seed port must be between 1 and 65535.");
        _discovery = discovery;
        _lookup = lookup;
        _defaultPort = defaultPort;
        _timeout = timeout ?? TimeSpan.FromSeconds(3);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> GetSeedsAsync(CancellationToken cancellationToken)
    {
        var resolved = await _discovery.Lookup(_lookup, _timeout).ConfigureAwait(false);
        return resolved.Addresses
            .Select(t =>
            {
                var host = t.Address?.ToString() ?? t.Host;
                if (host.Contains(':', StringComparison.Ordinal))
                    host = "[" + host + "]";
                return host + ":" + (t.Port ?? _defaultPort).ToString(CultureInfo.InvariantCulture);
            })
            .ToArray();
    }
}
