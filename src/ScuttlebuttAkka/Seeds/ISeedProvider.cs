namespace ScuttlebuttAkka.Seeds;

/// <summary>Supplies the addresses a node contacts when it knows no live peer (the Go library's <c>SeedCB</c>).</summary>
public interface ISeedProvider
{
    /// <summary>Returns "host:port" addresses to send a digest to; may be empty. Called again whenever the node is alone.</summary>
    Task<IReadOnlyList<string>> GetSeedsAsync(CancellationToken cancellationToken);
}
