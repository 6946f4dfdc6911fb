using Akka.Actor;

namespace ScuttlebuttAkka.Hosting;

/// <summary>
/// The node <see cref="ScuttlebuttHostingExtensions.WithScuttlebutt"/> started in one ActorSystem, or its start
/// failure. An Akka extension, so that dependency injection (which is built before the ActorSystem starts its actors)
/// and the actor starter meet through the ActorSystem both of them can reach.
/// </summary>
internal sealed class HostedNode : IExtension, IRequiredScuttlebuttNode
{
    private readonly TaskCompletionSource<ScuttlebuttNode> _node = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static HostedNode For(ActorSystem system) => system.WithExtension<HostedNode, Provider>();

    public ScuttlebuttNode Node => _node.Task.IsCompletedSuccessfully
        ? _node.Task.Result
        : _node.Task.IsFaulted
            ? throw new InvalidOperationException("The hosted ScuttlebuttNode failed to start; see the inner exception.", _node.Task.Exception!.InnerException)
            : throw new InvalidOperationException(
                "The hosted ScuttlebuttNode has not started yet: WithScuttlebutt starts it with the ActorSystem when the host starts. " +
                "Resolve ScuttlebuttNode after the host has started, or inject IRequiredScuttlebuttNode and await GetAsync().");

    public Task<ScuttlebuttNode> GetAsync(CancellationToken cancellationToken = default) => _node.Task.WaitAsync(cancellationToken);

    public void Started(ScuttlebuttNode node) => _node.TrySetResult(node);

    public void Failed(Exception cause) => _node.TrySetException(cause);

    private sealed class Provider : ExtensionIdProvider<HostedNode>
    {
        public override HostedNode CreateExtension(ExtendedActorSystem system) => new();
    }
}
