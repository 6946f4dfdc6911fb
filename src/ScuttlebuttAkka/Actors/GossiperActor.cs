using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using ScuttlebuttAkka.Diagnostics;
using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Runtime;
using ScuttlebuttAkka.Transport;

namespace ScuttlebuttAkka.Actors;

/// <summary>
/// One Scuttlebutt node in an actor system: the Akka driver of a <see cref="NodeRuntime"/>, which makes every protocol
/// decision. The actor materializes the datagram flow (UDP by default), feeds the runtime its rounds, datagrams and the
/// application's commands, and carries out what it asks: it sends datagrams, publishes the view, hands events to its
/// <see cref="SubscriptionActor"/>, keeps one <see cref="PeerStateActor"/> child per known peer, resolves addresses
/// and asks the seed provider. Spawn it with <see cref="Props(ScuttlebuttSettings)"/> or use <see cref="ScuttlebuttNode"/>.
/// </summary>
public sealed class GossiperActor : ReceiveActor, IWithStash
{
    // Datagrams told to this actor by the stream and not yet processed; a full window backpressures the transport.
    private const int InboundWindowSize = 64;

    private readonly ScuttlebuttSettings _settings;
    private readonly TransportFactory _transport;
    private readonly ViewHolder _viewHolder;
    private readonly IClock _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Guid _instance = Guid.NewGuid();
    private readonly Seeds.ISeedProvider _seedProvider;
    private readonly InboundWindow _inboundWindow = new(InboundWindowSize);
    private readonly List<IActorRef> _addressWaiters = new();
    private readonly List<IActorRef> _leaveWaiters = new();
    private readonly PeerChildren _peers;

    private NodeRuntime _runtime = null!;
    private IActorRef _subscription = ActorRefs.Nobody;
    private IActorRef _outbound = ActorRefs.Nobody;
    private IDisposable? _roundTimer;
    private UniqueKillSwitch? _killSwitch;
    private EndPoint? _bound;

    /// <summary>Creates a gossiper; prefer <see cref="Props(ScuttlebuttSettings)"/>.</summary>
    internal GossiperActor(ScuttlebuttSettings settings, TransportFactory transport, ViewHolder viewHolder)
    {
        _settings = settings.Validate();
        _transport = transport;
        _viewHolder = viewHolder;
        _clock = settings.Clock;
        _seedProvider = settings.EffectiveSeedProvider();
        _peers = new PeerChildren(Context, settings.NodeId);
        Starting();
    }

    /// <inheritdoc />
    public IStash Stash { get; set; } = null!;

    /// <summary>
    /// Props for a gossiper over real UDP, on the default dispatcher. <see cref="Props(ActorSystem, ScuttlebuttSettings)"/>
    /// runs it on the library's socket loop instead, which costs a node far less CPU.
    /// </summary>
    public static Props Props(ScuttlebuttSettings settings) => Props(settings, Transports.Udp);

    /// <summary>
    /// Props for a gossiper over real UDP on the library's socket loop (the <c>scuttlebutt.io-dispatcher</c>), as
    /// <see cref="ScuttlebuttNode.StartAsync(ActorSystem, ScuttlebuttSettings, System.Threading.CancellationToken)"/>
    /// and Hosting run it: adds the library's reference configuration to <paramref name="system"/> as a fallback, so the
    /// dispatcher resolves.
    /// </summary>
    public static Props Props(ActorSystem system, ScuttlebuttSettings settings)
    {
        ArgumentNullException.ThrowIfNull(system);
        return IoDispatcher.On(system, Props(settings));
    }

    /// <summary>
    /// The name of the child that stands for peer <paramref name="peerId"/> under its gossiper (<c>Context.Child</c> or an
    /// actor selection of the gossiper's path and this name find it): "peer-" and the id, every byte of its UTF-8 form
    /// that an actor path does not allow written as %XX. The child answers <see cref="GetPeerState"/> and
    /// <see cref="SubscribePeer"/>.
    /// </summary>
    public static string PeerActorName(string peerId) => PeerStateActor.ActorName(peerId);

    /// <summary>Props for a gossiper over the given transport (a simulated network in tests).</summary>
    internal static Props Props(ScuttlebuttSettings settings, TransportFactory transport) => Props(settings, transport, new ViewHolder(settings.NodeId));

    internal static Props Props(ScuttlebuttSettings settings, TransportFactory transport, ViewHolder viewHolder)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(transport);
        settings.Validate();
        return Akka.Actor.Props.CreateBy(new Producer(settings, transport, viewHolder));
    }

    // The constructor takes library-internal types, so Akka cannot call it by reflection: it is handed a factory.
    private sealed class Producer(ScuttlebuttSettings settings, TransportFactory transport, ViewHolder viewHolder) : IIndirectActorProducer
    {
        public Type ActorType => typeof(GossiperActor);

        public ActorBase Produce() => new GossiperActor(settings, transport, viewHolder);

        public void Release(ActorBase actor)
        {
        }
    }

    /// <inheritdoc />
    protected override void PreStart()
    {
        _subscription = Context.ActorOf(SubscriptionActor.Props(_settings.NodeId), "events");
        Flow<Datagram, Datagram, Task<EndPoint>> flow;
        try
        {
            flow = _transport(_settings);
        }
        catch (Exception ex)
        {
            Self.Tell(new TransportFailed(ex, _instance));
            return;
        }

        var instance = _instance;
        var ((outbound, bound), killSwitch) = Source.ActorRef<Datagram>(1024, OverflowStrategy.DropHead)
            .ViaMaterialized(flow, Keep.Both)
            .ViaMaterialized(KillSwitches.Single<Datagram>(), Keep.Both)
            .To(Sink.FromGraph(new InboxSink<Datagram>(Self, _inboundWindow, StreamCompleted.Instance, ex => new TransportFailed(ex, instance))))
            // The stream runs where this actor runs: on the io dispatcher, a datagram then reaches this actor, and a
            // reply the socket, without changing threads. A UDP stage counts its errors and drops into the node's statistics.
            .WithAttributes(ActorAttributes.CreateDispatcher(Context.Props.Dispatcher).And(TransportCountersAttribute.CountInto(_viewHolder.Statistics.Transport)))
            .Run(Context.Materializer());
        _outbound = outbound;
        _killSwitch = killSwitch;
        bound.PipeTo(Self, success: ep => new TransportBound(ep, instance), failure: ex => new TransportFailed(ex, instance));
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _roundTimer?.Dispose();
        _killSwitch?.Shutdown();
        ScuttlebuttMetrics.Unregister(_viewHolder.Statistics);
        foreach (var waiter in _leaveWaiters)
            waiter.Tell(new LeaveCompleted(_settings.NodeId));
    }

    private void Starting()
    {
        Receive<TransportBound>(m => m.Instance == _instance, m => OnBound(m.EndPoint));
        Receive<TransportFailed>(m => m.Instance == _instance, m =>
        {
            _log.Error(m.Cause, "Scuttlebutt node {0} could not start its transport on {1}", _settings.NodeId, _settings.Bind);
            foreach (var waiter in _addressWaiters)
                waiter.Tell(new Status.Failure(m.Cause));
            Context.Stop(Self);
        });
        Receive<TransportBound>(_ => { }); // a previous instance's stream
        Receive<TransportFailed>(_ => { });
        Receive<GetLocalAddress>(_ => _addressWaiters.Add(Sender));
        ReceiveAny(_ => Stash.Stash());
    }

    private void OnBound(EndPoint endPoint)
    {
        _bound = endPoint;
        var advertised = endPoint is IPEndPoint ip ? _settings.EffectiveAdvertise(ip) : _settings.Advertise ?? endPoint.ToString()!;
        // A restarted actor is a new incarnation: it must come back above the last one, or peers would take its fresh
        // state for stale gossip of the old one (an explicit Generation in the settings stays the same across restarts).
        var generation = Math.Max(_settings.EffectiveGeneration(), _viewHolder.Address is { } last ? last.Generation + 1 : 0);
        var random = _settings.RandomSeed is { } seed ? new Random(seed) : new Random();
        _runtime = new NodeRuntime(_settings, generation, advertised, _clock.NowMs, random, new NodeRuntimeOptions
        {
            Telemetry = new NodeTelemetry(_settings.NodeId, _viewHolder.Statistics),
            MinimumNoticeLevel = _log.IsDebugEnabled ? NoticeLevel.Debug : NoticeLevel.Info,
        });
        _viewHolder.Address = new LocalAddress(_settings.NodeId, generation, endPoint, advertised);
        Execute();
        ScuttlebuttMetrics.Register(_settings.NodeId, _viewHolder.Statistics, () => _viewHolder.View);
        _log.Info("Scuttlebutt node started: {0} generation={1} bound={2} advertised={3}", _settings.DescribeForLog(), generation, endPoint, advertised);

        foreach (var waiter in _addressWaiters)
            waiter.Tell(_viewHolder.Address);
        _addressWaiters.Clear();

        Become(Running);
        Stash.UnstashAll();
        // Gossip at once so a fresh node joins without waiting a whole interval.
        Self.Tell(GossipTick.Instance);
        // Timed by the socket loop rather than Akka's scheduler: on the io dispatcher the tick then reaches this actor
        // without waking a thread-pool worker, and the rounds of the nodes in one process share the loop's wake-ups.
        var self = Self;
        _roundTimer = SocketLoop.Shared.Every(_settings.GossipInterval, () => self.Tell(GossipTick.Instance, ActorRefs.NoSender));
    }

    private void Running()
    {
        // The two inputs of an idle node, called directly: no closure per round or datagram.
        Receive<GossipTick>(_ =>
        {
            _runtime.Tick(_clock.NowMs);
            Execute();
        });
        Receive<Datagram>(d =>
        {
            try
            {
                _runtime.Receive(d.Payload.Span, d.Remote, _clock.NowMs);
                Execute();
            }
            finally
            {
                _inboundWindow.Processed();
            }
        });
        Receive<StreamCompleted>(_ => _log.Debug("Transport of {0} completed", _settings.NodeId));
        // Let the supervisor restart the node (a new incarnation with a fresh socket) rather than run deaf and mute.
        Receive<TransportFailed>(m => m.Instance == _instance, m => throw new InvalidOperationException($"The transport of node {_settings.NodeId} failed.", m.Cause));
        Receive<TransportFailed>(_ => { }); // a previous instance's stream: already shut down
        Receive<SeedsResolved>(m => Run(r => r.SeedsResolved(m.Seeds, _clock.NowMs)));
        Receive<AddressResolved>(m => Run(r => r.AddressResolved(m.Address, m.EndPoint)));
        Receive<UpdateLocal>(m => Write(m.Key, r => r.Write(m.Key, m.Value, m.TimeToLive, _clock.NowMs)));
        Receive<DeleteLocal>(m => Write(m.Key, r => r.Delete(m.Key, _clock.NowMs)));
        Receive<Leave>(_ =>
        {
            _leaveWaiters.Add(Sender);
            Run(r => r.Leave(_clock.NowMs));
        });
        Receive<GetLocalAddress>(_ => Sender.Tell(_viewHolder.Address));
        Receive<GetClusterView>(_ => Sender.Tell(_viewHolder.View));
        Receive<GetStatistics>(_ => Sender.Tell(_viewHolder.Statistics));
        Receive<SubscribePeerEvents>(m => _subscription.Forward(m));
        Receive<GetPeerState>(m => _peers.Answer(m, _viewHolder.View, Sender));
        Receive<SubscribePeer>(m => _peers.Subscribe(m, Sender));
        Receive<UnsubscribePeer>(m => _peers.Forward(m.PeerId, m));
        Receive<Terminated>(m => _peers.OnTerminated(m.ActorRef));
    }

    private void Write(string key, Func<NodeRuntime, long> write)
    {
        long version;
        try
        {
            version = write(_runtime);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            Sender.Tell(new Status.Failure(ex));
            return;
        }

        Execute();
        if (!Sender.IsNobody())
            Sender.Tell(new LocalWriteAck(key, version));
    }

    private void Run(Action<NodeRuntime> input)
    {
        input(_runtime);
        Execute();
    }

    /// <summary>Carries out what the runtime's last input asked for.</summary>
    private void Execute()
    {
        var output = _runtime.Output;
        foreach (var notice in output.Notices)
            _log.Write(notice);
        foreach (var datagram in output.Datagrams)
            _outbound.Tell(new Datagram(datagram.Payload, datagram.To));
        if (output.ViewChanged)
            _viewHolder.View = _runtime.View;
        if (output.GenerationChanged)
            _viewHolder.Address = _viewHolder.Address! with { Generation = _runtime.Generation };
        if (output.Events.Count > 0)
            _subscription.Tell(new PublishEvents(output.Events.ToArray(), _viewHolder.View));
        _peers.Apply(output, _viewHolder.View);
        if (output.SeedsRequested)
            OffTheLoop.AskForSeeds(_seedProvider, Self, _log, _settings.NodeId);
        foreach (var address in output.AddressesToResolve)
            OffTheLoop.Resolve(address, (_bound as IPEndPoint)?.AddressFamily ?? AddressFamily.InterNetwork, Self);
        if (output.LeaveCompleted)
            FinishLeaving();
    }

    private void FinishLeaving()
    {
        _roundTimer?.Dispose();
        foreach (var waiter in _leaveWaiters)
            waiter.Tell(new LeaveCompleted(_settings.NodeId));
        _leaveWaiters.Clear();
        Context.Stop(Self);
    }
}
