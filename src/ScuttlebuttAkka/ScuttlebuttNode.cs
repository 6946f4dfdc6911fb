using System.Net;
using Akka.Actor;
using ScuttlebuttAkka.Actors;
using ScuttlebuttAkka.Diagnostics;
using ScuttlebuttAkka.Transport;

namespace ScuttlebuttAkka;

/// <summary>
/// A running node, for code that prefers methods to messages: start it in an existing ActorSystem, write this node's
/// keys, read any peer's keys from an immutable view (no actor round trip), subscribe to events, leave gracefully.
/// Several nodes may share one ActorSystem.
/// </summary>
public sealed class ScuttlebuttNode : IAsyncDisposable
{
    private readonly ViewHolder _view;
    private readonly ScuttlebuttSettings _settings;

    private ScuttlebuttNode(ActorSystem system, IActorRef gossiper, ViewHolder view, ScuttlebuttSettings settings)
    {
        System = system;
        Gossiper = gossiper;
        _view = view;
        _settings = settings;
        NodeId = settings.NodeId;
    }

    /// <summary>The actor system the node runs in.</summary>
    public ActorSystem System { get; }

    /// <summary>The node's <see cref="GossiperActor"/>, for message-based use.</summary>
    public IActorRef Gossiper { get; }

    /// <summary>This node's id.</summary>
    public string NodeId { get; }

    /// <summary>
    /// The running incarnation's generation. It changes when the gossiper is restarted by its supervisor (a new
    /// incarnation always takes a higher one) or when the node hears of itself as a newer incarnation than its own.
    /// </summary>
    public long Generation => _view.Address!.Generation;

    /// <summary>The bound socket endpoint (with the real port when bound to port 0; a restarted gossiper binds anew).</summary>
    public EndPoint BoundEndPoint => _view.Address!.Bound;

    /// <summary>The gossip address peers use to reach this node; give it to others as a seed.</summary>
    public string Address => _view.Address!.Advertised;

    /// <summary>The latest view of the cluster, this node included.</summary>
    public ClusterView View => _view.View;

    /// <summary>Every known peer other than this node, with status and keys.</summary>
    public IReadOnlyList<PeerInfo> Peers => _view.View.Peers.Values.Where(p => p.PeerId != NodeId).OrderBy(p => p.PeerId, StringComparer.Ordinal).ToArray();

    /// <summary>Traffic counters of this node.</summary>
    public GossipStatistics Statistics => _view.Statistics;

    /// <summary>Starts a node over real UDP and waits until its socket is bound.</summary>
    public static Task<ScuttlebuttNode> StartAsync(ActorSystem system, ScuttlebuttSettings settings, CancellationToken cancellationToken = default) =>
        StartAsync(system, settings, Transports.Udp, cancellationToken);

    /// <summary>Starts a node over the given transport (a simulated network in tests) and waits until it is bound.</summary>
    internal static async Task<ScuttlebuttNode> StartAsync(ActorSystem system, ScuttlebuttSettings settings, TransportFactory transport, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(transport);
        settings.Validate();
        var view = new ViewHolder(settings.NodeId);
        var gossiper = system.ActorOf(IoDispatcher.On(system, GossiperActor.Props(settings, transport, view)), ActorName(settings.NodeId));
        try
        {
            await gossiper.Ask<LocalAddress>(GetLocalAddress.Instance, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            return new ScuttlebuttNode(system, gossiper, view, settings);
        }
        catch
        {
            system.Stop(gossiper);
            throw;
        }
    }

    /// <summary>Sets one of this node's keys. The arguments are checked here, so a bad key or value throws at once.</summary>
    public void UpdateLocal(string key, string value, TimeSpan? timeToLive = null)
    {
        _settings.Limits.ValidateKey(key);
        _settings.Limits.ValidateValue(value);
        if (timeToLive is { } ttl && ttl <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(timeToLive), ttl, "A time to live must be positive.");
        Gossiper.Tell(new UpdateLocal(key, value, timeToLive));
    }

    /// <summary>Sets one of this node's keys and returns the version it got.</summary>
    public async Task<long> UpdateLocalAsync(string key, string value, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        _settings.Limits.ValidateKey(key);
        _settings.Limits.ValidateValue(value);
        var ack = await Gossiper.Ask<LocalWriteAck>(new UpdateLocal(key, value, timeToLive), TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        return ack.Version;
    }

    /// <summary>Deletes one of this node's keys (a tombstone spreads the delete).</summary>
    public void Delete(string key)
    {
        _settings.Limits.ValidateKey(key);
        Gossiper.Tell(new DeleteLocal(key));
    }

    /// <summary>Looks up a peer's key as this node knows it (eventually consistent); null when unknown or deleted.</summary>
    public string? Lookup(string peerId, string key) => _view.View.TryLookup(peerId, key, out var value) ? value : null;

    /// <summary>Subscribes <paramref name="subscriber"/> to this node's events, optionally replaying the current state first.</summary>
    public Task SubscribeAsync(IActorRef subscriber, bool initialStateAsEvents = false, CancellationToken cancellationToken = default) =>
        Gossiper.Ask<Subscribed>(new SubscribePeerEvents(subscriber, initialStateAsEvents), TimeSpan.FromSeconds(10), cancellationToken);

    /// <summary>What this node knows of peer <paramref name="peerId"/> now (no actor round trip); null when it knows no such peer.</summary>
    public PeerInfo? Peer(string peerId) =>
        peerId != NodeId && _view.View.Peers.TryGetValue(peerId, out var info) ? info : null;

    /// <summary>
    /// Subscribes <paramref name="subscriber"/> to the events about peer <paramref name="peerId"/> only, optionally
    /// replaying its current state first; the subscription ends with the peer's <see cref="PeerEvent.Removed"/>.
    /// Fails with <see cref="ArgumentException"/> when this node knows no such peer.
    /// </summary>
    public Task SubscribePeerAsync(string peerId, IActorRef subscriber, bool initialStateAsEvents = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(peerId);
        ArgumentNullException.ThrowIfNull(subscriber);
        return Gossiper.Ask<Subscribed>(new SubscribePeer(peerId, subscriber, initialStateAsEvents), TimeSpan.FromSeconds(10), cancellationToken);
    }

    /// <summary>Leaves gracefully: peers report this node as left, not failed. The node stops afterwards.</summary>
    public async Task LeaveAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? (_settings.GossipInterval * (_settings.LeaveRounds + 2)) + TimeSpan.FromSeconds(5);
        try
        {
            await Gossiper.Ask<LeaveCompleted>(Leave.Instance, limit, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            // The leave was announced; stopping now is what the caller asked for anyway.
        }

        await StopAsync().ConfigureAwait(false);
    }

    /// <summary>Stops the node without announcing anything (peers will detect it as failed).</summary>
    public async Task StopAsync()
    {
        try
        {
            await Gossiper.GracefulStop(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TaskCanceledException)
        {
            // Already stopped.
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private static string ActorName(string nodeId)
    {
        var name = "scuttlebutt-" + nodeId;
        return ActorPath.IsValidPathElement(name) ? name : "scuttlebutt-" + Convert.ToHexString(global::System.Security.Cryptography.SHA256.HashData(global::System.Text.Encoding.UTF8.GetBytes(nodeId)))[..16];
    }
}
