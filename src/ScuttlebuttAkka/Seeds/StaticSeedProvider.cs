using ScuttlebuttAkka.Protocol;

namespace ScuttlebuttAkka.Seeds;

/// <summary>A fixed list of seed addresses.</summary>
internal sealed class StaticSeedProvider : ISeedProvider
{
    private readonly IReadOnlyList<string> _seeds;

    /// <summary>Creates a provider of <paramref name="seeds"/>; each must be "host:port".</summary>
    public StaticSeedProvider(IEnumerable<string> seeds)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        _seeds = seeds.ToArray();
        foreach (var s in _seeds)
            ProtocolLimits.ValidateAddress(s, nameof(seeds));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> GetSeedsAsync(CancellationToken cancellationToken) => Task.FromResult(_seeds);
}
