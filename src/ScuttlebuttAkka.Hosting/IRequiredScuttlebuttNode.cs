namespace ScuttlebuttAkka.Hosting;

/// <summary>
/// The hosted <see cref="ScuttlebuttNode"/>, for code that may run before the host has started it (a hosted service's
/// constructor), the way <c>IRequiredActor&lt;T&gt;</c> is for actors. Registered by
/// <see cref="ScuttlebuttHostingExtensions.AddScuttlebuttNode"/>.
/// </summary>
public interface IRequiredScuttlebuttNode
{
    /// <summary>The node; throws <see cref="InvalidOperationException"/> until the host has started it.</summary>
    ScuttlebuttNode Node { get; }

    /// <summary>Completes with the node once the ActorSystem has started it (at once if it has), or with its start failure.</summary>
    Task<ScuttlebuttNode> GetAsync(CancellationToken cancellationToken = default);
}
