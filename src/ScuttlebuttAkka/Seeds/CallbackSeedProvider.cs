namespace ScuttlebuttAkka.Seeds;

/// <summary>Seeds from an application callback, asked afresh each time the node is alone (like the Go library's <c>SeedCB</c>).</summary>
internal sealed class CallbackSeedProvider : ISeedProvider
{
    private readonly Func<CancellationToken, Task<IReadOnlyList<string>>> _callback;

    /// <summary>Wraps a synchronous callback.</summary>
    public CallbackSeedProvider(Func<IEnumerable<string>> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        _callback = _ => Task.FromResult<IReadOnlyList<string>>(callback().ToArray());
    }

    /// <summary>Wraps an asynchronous callback.</summary>
    public CallbackSeedProvider(Func<CancellationToken, Task<IReadOnlyList<string>>> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        _callback = callback;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> GetSeedsAsync(CancellationToken cancellationToken) => _callback(cancellationToken);
}
