using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using ScuttlebuttAkka.Diagnostics;
using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Liveness;
using ScuttlebuttAkka.Protocol.Runtime;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;
using ScuttlebuttAkka.Transport;

namespace ScuttlebuttAkka.Actors;

/// <summary>
/// One Scuttlebutt node. Runs a round every gossip interval over the datagram flow (UDP by default), does the
/// three-step digest/delta exchange with the protocol core, runs every known peer's failure detector and lifecycle
/// (<see cref="PeerLiveness"/>) on its own thread, keeps one <see cref="PeerStateActor"/> child per known peer, and
/// hands every change to its <see cref="SubscriptionActor"/>, which publishes the events.
/// Spawn it with <see cref="Props(ScuttlebuttSettings)"/> or use <see cref="ScuttlebuttNode"/>.
/// </summary>
public sealed class GossiperActor : ReceiveActor, IWithStash
{
    private readonly ScuttlebuttSettings _settings;
    private readonly TransportFactory _transport;
    private readonly ViewHolder _viewHolder;
    private readonly DatagramCodec _codec;
    private readonly Random _random;
    private readonly IClock _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly long _generation;
    private readonly Guid _instance = Guid.NewGuid();

    // Built once: a static list is validated when it is made, not on every round the node is alone.
    private readonly Seeds.ISeedProvider _seedProvider;

    private readonly Dictionary<string, IActorRef> _children = new(StringComparer.Ordinal);

    // The detectors live here, not in the children: the gossiper sees every heartbeat advance, and feeding a child
    // actor each one (and a timer per child to check phi) cost more CPU at idle than all the protocol work together.
    private readonly Dictionary<string, PeerLiveness> _liveness = new(StringComparer.Ordinal);
    private readonly List<(string PeerId, LivenessTransition Transition)> _transitions = new();
    private readonly Dictionary<string, PeerStatus> _status = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IPEndPoint> _resolved = new(StringComparer.Ordinal);
    private readonly HashSet<string> _resolving = new(StringComparer.Ordinal);
    private readonly HashSet<EndPoint> _knownEndPoints = new();
    private readonly List<IActorRef> _addressWaiters = new();

    // Datagrams told to this actor by the stream and not yet processed; a full window backpressures the transport.
    private readonly InboundWindow _inboundWindow = new(InboundWindowSize);
    private readonly List<string> _targets = new();
    private readonly List<string> _pushTargets = new();
    private readonly List<string> _seedTargets = new();
    private readonly List<string> _liveScratch = new();
    private readonly List<string> _downScratch = new();
    private readonly SuspicionBook _suspicions = new();
    private readonly Func<string, bool> _isLiveObserver;

    private const int InboundWindowSize = 64;

    private ClusterState _state = null!;
    private IActorRef _subscription = ActorRefs.Nobody;
    private IActorRef _outbound = ActorRefs.Nobody;
    private IDisposable? _roundTimer;
    private UniqueKillSwitch? _killSwitch;
    private EndPoint? _bound;
    private string _advertised = "";
    private IReadOnlyList<string> _seeds = Array.Empty<string>();
    private bool _seedRequestPending;
    private long _roundNumber;
    private int _introductionsLeft = ClusterState.IntroductionsPerRound;
    private readonly StallGuard _stallGuard;
    private long _childSequence;
    private int _leaveRoundsLeft = -1;
    private readonly List<IActorRef> _leaveWaiters = new();
    private ImmutableDictionary<string, PeerInfo> _peers = ImmutableDictionary<string, PeerInfo>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>Creates a gossiper; prefer <see cref="Props(ScuttlebuttSettings)"/>.</summary>
    public GossiperActor(ScuttlebuttSettings settings, TransportFactory transport, ViewHolder viewHolder)
    {
        _settings = settings.Validate();
        _transport = transport;
        _viewHolder = viewHolder;
        _codec = settings.CreateCodec();
        _random = settings.RandomSeed is { } seed ? new Random(seed) : new Random();
        _clock = settings.Clock;
        _generation = settings.EffectiveGeneration();
        _seedProvider = settings.EffectiveSeedProvider();
        _stallGuard = new StallGuard(Math.Max(1, (long)settings.GossipInterval.TotalMilliseconds));
        _isLiveObserver = id => _status.TryGetValue(id, out var s) && s == PeerStatus.Alive;
        Starting();
    }

    /// <inheritdoc />
    public IStash Stash { get; set; } = null!;

    /// <summary>Props for a gossiper over real UDP.</summary>
    /// <remarks>
    /// These props use the default dispatcher. <see cref="ScuttlebuttNode.StartAsync(ActorSystem, ScuttlebuttSettings, System.Threading.CancellationToken)"/>
    /// and <c>WithScuttlebutt</c> run the gossiper on the <see cref="IoDispatcher"/>, which costs a node far less CPU;
    /// to do the same, call <see cref="IoDispatcher.EnsureConfigured"/> and add <c>.WithDispatcher(IoDispatcher.Id)</c>.
    /// </remarks>
    public static Props Props(ScuttlebuttSettings settings) => Props(settings, Transports.Udp);

    /// <summary>Props for a gossiper over the given transport (a simulated network in tests).</summary>
    public static Props Props(ScuttlebuttSettings settings, TransportFactory transport) => Props(settings, transport, new ViewHolder(settings.NodeId));

    internal static Props Props(ScuttlebuttSettings settings, TransportFactory transport, ViewHolder viewHolder)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(transport);
        settings.Validate();
        return Akka.Actor.Props.Create(() => new GossiperActor(settings, transport, viewHolder));
    }

    /// <inheritdoc />
    protected override void PreStart()
    {
        _subscription = Context.ActorOf(SubscriptionActor.Props(_settings.NodeId), "events");
        var materializer = Context.Materializer();
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
            // reply the socket, without changing threads.
            .WithAttributes(ActorAttributes.CreateDispatcher(Context.Props.Dispatcher))
            .Run(materializer);
        _outbound = outbound;
        _killSwitch = killSwitch;
        bound.PipeTo(Self, success: ep => new TransportBound(ep, instance), failure: ex => new TransportFailed(ex, instance));
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _roundTimer?.Dispose();
        _killSwitch?.Shutdown();
        ScuttlebuttMetrics.Unregister(_settings.NodeId);
        foreach (var waiter in _leaveWaiters)
            waiter.Tell(new LeaveCompleted(_settings.NodeId));
    }

    // ------------------------------------------------------------------ behaviours

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
        _advertised = endPoint is IPEndPoint ip ? _settings.EffectiveAdvertise(ip) : _settings.Advertise ?? endPoint.ToString()!;
        _state = new ClusterState(_settings.NodeId, _generation, _advertised, _settings.Limits);
        var now = _clock.NowMs;
        foreach (var (key, value) in _settings.InitialState)
            _state.Set(key, value, now);
        RefreshPeerInfo(_settings.NodeId);
        PublishView();
        ScuttlebuttMetrics.Register(_settings.NodeId, () => _viewHolder.View);
        _log.Info("Scuttlebutt node started: {0} generation={1} bound={2} advertised={3}", _settings.DescribeForLog(), _generation, endPoint, _advertised);

        var address = new LocalAddress(_settings.NodeId, _generation, endPoint, _advertised);
        foreach (var waiter in _addressWaiters)
            waiter.Tell(address);
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
        Receive<GossipTick>(_ => Round());
        Receive<Datagram>(d =>
        {
            try
            {
                OnDatagram(d);
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
        Receive<SeedsResolved>(m =>
        {
            _seedRequestPending = false;
            _seeds = GossipTargets.UsableSeeds(m.Seeds, _advertised);
            if (LivePeerCount() == 0 && _seeds.Count > 0)
                SendDigestTo(Array.Empty<string>(), PickSeeds());
        });
        Receive<AddressResolved>(m =>
        {
            _resolving.Remove(m.Address);
            if (m.EndPoint is not null)
            {
                _resolved[m.Address] = m.EndPoint;
                _knownEndPoints.Add(m.EndPoint);
            }
        });
        Receive<UpdateLocal>(m => Write(m.Key, () => _state.Set(m.Key, m.Value, _clock.NowMs, m.TimeToLive)));
        Receive<DeleteLocal>(m => Write(m.Key, () => _state.Delete(m.Key, _clock.NowMs)));
        Receive<Leave>(_ => StartLeaving());
        Receive<GetLocalAddress>(_ => Sender.Tell(new LocalAddress(_settings.NodeId, _generation, _bound!, _advertised)));
        Receive<GetClusterView>(_ => Sender.Tell(_viewHolder.View));
        Receive<GetStatistics>(_ => Sender.Tell(_viewHolder.Statistics));
        Receive<SubscribePeerEvents>(m => _subscription.Forward(m));
    }

    // ------------------------------------------------------------------ rounds

    private void Round()
    {
        var now = _clock.NowMs;
        _roundNumber++;
        _introductionsLeft = ClusterState.IntroductionsPerRound;
        _viewHolder.Statistics.CountRound();
        ScuttlebuttMetrics.Round(_settings.NodeId);
        if (RoundChores.Run(_state, _roundNumber, now, _settings.GossipInterval, _settings.TombstoneGracePeriod))
        {
            RefreshPeerInfo(_settings.NodeId);
            PublishView();
        }

        if (_leaveRoundsLeft == 0)
        {
            FinishLeaving();
            return;
        }

        if (_leaveRoundsLeft > 0)
            _leaveRoundsLeft--;

        // Peers are judged at the start of every round, before targets are chosen: on the round's own wake-up rather
        // than a timer of their own (a node at idle does little else, and every wake-up costs more than the checks).
        // Not in a round that comes late, though: then this node was the one stalled (see StallGuard).
        if (_stallGuard.ShouldJudge(now))
            CheckLiveness();
        else
            _log.Warning("{0} ran a round late (stalled?); peers are judged from the next one", _settings.NodeId);
        CollectPeers();
        GossipTargets.Choose(_liveScratch, _downScratch, _seeds, _settings.DownPeerGossipProbability, _settings.SeedGossipProbability, _random, _targets, _seedTargets);
        if (_liveScratch.Count == 0 && !_seedRequestPending)
            RequestSeeds();
        if (_targets.Count > 0 || _seedTargets.Count > 0)
            SendDigestTo(_targets, _seedTargets);
    }

    private void CollectPeers()
    {
        _liveScratch.Clear();
        _downScratch.Clear();
        foreach (var (id, status) in _status)
        {
            if (status == PeerStatus.Alive)
                _liveScratch.Add(id);
            else if (status == PeerStatus.Down)
                _downScratch.Add(id);
        }
    }

    private int LivePeerCount() => _status.Values.Count(s => s == PeerStatus.Alive);

    private List<string> PickSeeds()
    {
        var picked = new List<string>(GossipTargets.SeedsWhenAlone);
        GossipTargets.ChooseSeeds(_seeds, _random, picked);
        return picked;
    }

    private void RequestSeeds()
    {
        _seedRequestPending = true;
        // The provider is the application's code (a callback may read a file or call a service): run it on the thread
        // pool, so that however long it takes it cannot hold up the socket loop, and every node of the process with it.
        var provider = _seedProvider;
        Task.Run(() => provider.GetSeedsAsync(CancellationToken.None)).PipeTo(Self,
            success: seeds => new SeedsResolved(seeds),
            failure: ex =>
            {
                _log.Warning("Seed provider of {0} failed: {1}", _settings.NodeId, ex.Message);
                return new SeedsResolved(Array.Empty<string>());
            });
    }

    private void SendDigestTo(IReadOnlyList<string> peerIds, IReadOnlyList<string> addresses)
    {
        var payload = _codec.Encode(new DigestRequest(_state.BuildDigest(_codec.MessageBudget, _random)));
        foreach (var id in peerIds)
        {
            if (_state.TryGetNode(id, out var node))
                SendTo(node.Address, payload);
        }

        foreach (var address in addresses)
            SendTo(address, payload);
    }

    // ------------------------------------------------------------------ receiving

    private void OnDatagram(Datagram datagram)
    {
        var length = datagram.Payload.Length;
        _viewHolder.Statistics.CountIn(length);
        ScuttlebuttMetrics.Received(_settings.NodeId, length);
        var reason = _codec.TryDecode(datagram.Payload.Span, out var message);
        if (reason != DropReason.None)
        {
            _viewHolder.Statistics.CountDrop(reason);
            ScuttlebuttMetrics.Drop(_settings.NodeId, reason);
            if (_log.IsDebugEnabled)
                _log.Debug("{0} dropped a {1}-byte datagram from {2}: {3}", _settings.NodeId, length, datagram.Remote, reason);
            return;
        }

        var report = new ApplyReport();
        try
        {
            var budget = ClusterState.ReplyBudget(_knownEndPoints.Contains(datagram.Remote), length, _codec.MessageBudget, _codec.Overhead);
            var reply = _state.Receive(message!, budget, _codec.MessageBudget, _clock.NowMs, _random, report);
            if (reply is not null)
                Send(datagram.Remote, _codec.Encode(reply));
            if (message is PushMessage push && push.NextHop(report) is { } next)
                PushTo(next, except: datagram.Remote);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Only a bug gets here; one bad datagram must not take the node down, so drop it, count it and say so.
            _viewHolder.Statistics.CountDrop(DropReason.ProcessingFailed);
            ScuttlebuttMetrics.Drop(_settings.NodeId, DropReason.ProcessingFailed);
            _log.Error(ex, "{0} failed to process a {1} from {2}; the datagram was dropped", _settings.NodeId, message!.GetType().Name, datagram.Remote);
        }

        Process(report);
        if (message is not PushMessage)
            Introduce(report, datagram.Remote);
    }

    /// <summary>
    /// Passes on at once, as an eager push, every node this datagram's sender just introduced first-hand (a newcomer or
    /// a restarted node talking to us about itself), so the cluster knows it within milliseconds instead of rounds; at
    /// most <see cref="ClusterState.IntroductionsPerRound"/> a round, so forged newcomers cannot make a node flood.
    /// </summary>
    private void Introduce(ApplyReport report, EndPoint from)
    {
        foreach (var change in report.Changes)
        {
            if (_introductionsLeft == 0)
                return;
            var (id, address) = change switch
            {
                NodeDiscovered d => (d.NodeId, d.Address),
                NodeRestarted r => (r.NodeId, r.Address),
                _ => (null, null),
            };
            if (id is null || !_resolved.TryGetValue(address!, out var endPoint) || !endPoint.Equals(from))
                continue;
            _introductionsLeft--;
            var delta = _state.BuildIntroductionDelta(id, _codec.MessageBudget - 1, _random);
            if (!delta.IsEmpty)
                PushTo(new PushMessage(PushMessage.HopsFor(_state.Nodes.Count), delta), except: from);
        }
    }

    private void Process(ApplyReport report)
    {
        if (report.AnyRejected)
        {
            _viewHolder.Statistics.CountRejected(report.Rejected);
            ScuttlebuttMetrics.Reject(_settings.NodeId, report);
        }

        if (report.Changes.Count > 0)
        {
            var events = new List<PeerEvent>(report.Changes.Count);
            var touched = new HashSet<string>(StringComparer.Ordinal);
            var self = _settings.NodeId;
            foreach (var change in report.Changes)
            {
                touched.Add(change.NodeId);
                switch (change)
                {
                    case NodeDiscovered d:
                        AddPeer(d.NodeId, d.Generation, d.Address);
                        events.Add(new PeerEvent.Joined(self, d.NodeId, d.Generation, d.Address));
                        break;
                    case NodeRestarted r:
                        _status[r.NodeId] = PeerStatus.Alive;
                        Learn(r.Address);
                        if (_liveness.TryGetValue(r.NodeId, out var restarted))
                        {
                            if (r.NewGeneration > restarted.Generation)
                                restarted.OnRestarted(r.NewGeneration, _clock.NowMs);
                            _children[r.NodeId].Tell(new PeerRestartedNotice(r.NewGeneration));
                        }
                        else
                        {
                            AddPeer(r.NodeId, r.NewGeneration, r.Address);
                        }

                        events.Add(new PeerEvent.Restarted(self, r.NodeId, r.OldGeneration, r.NewGeneration, r.Address));
                        break;
                    case KeyUpdated u:
                        events.Add(new PeerEvent.Updated(self, u.NodeId, u.Key, u.Value, u.Version));
                        break;
                    case KeyDeleted k:
                        events.Add(new PeerEvent.KeyDeleted(self, k.NodeId, k.Key, k.Version));
                        break;
                    case NodeLeft l:
                        if (_liveness.TryGetValue(l.NodeId, out var leaving))
                            _transitions.Add((l.NodeId, leaving.OnLeft(_clock.NowMs)));
                        break;
                }
            }

            foreach (var id in touched)
                RefreshPeerInfo(id);
            PublishView();
            if (events.Count > 0)
                _subscription.Tell(new PublishEvents(events, _viewHolder.View));
        }

        if (report.HeartbeatsAdvanced.Count > 0)
        {
            // A peer's heartbeat often advances twice in one round (in a digest and in a reply); counting it at most
            // once per half interval keeps the detector's samples about the peer, not about how gossip reached us.
            var now = _clock.NowMs;
            var minGap = (long)(_settings.GossipInterval.TotalMilliseconds / 2);
            foreach (var id in report.HeartbeatsAdvanced)
            {
                if (_liveness.TryGetValue(id, out var liveness) && liveness.OnHeartbeat(now, minGap) is var transition and not LivenessTransition.None)
                    _transitions.Add((id, transition));
            }
        }

        // After the message's own events, as when the children reported transitions back a moment later.
        ApplyTransitions();

        // Another node began or stopped suspecting a peer: judge at once rather than at the next round, so that a
        // corroborated verdict spreads at the speed of the push that carried it.
        if (report.SuspicionsChanged)
            CheckLiveness();
    }

    private void CheckLiveness()
    {
        var now = _clock.NowMs;
        var corroborate = _settings.Liveness.Detector.Corroborations > 0 && _state.DigestsComplete;
        foreach (var (id, liveness) in _liveness)
        {
            if (liveness.Status == PeerStatus.Alive && ScuttlebuttMetrics.PhiEnabled)
                ScuttlebuttMetrics.RecordPhi(_settings.NodeId, liveness.Phi(now));
            var others = corroborate && liveness.Status == PeerStatus.Alive && liveness.IsSuspect(now)
                ? _state.CountSuspicions(id, liveness.Generation, _isLiveObserver)
                : 0;
            if (liveness.Check(now, others) is var transition and not LivenessTransition.None)
                _transitions.Add((id, transition));
        }

        ApplyTransitions();
        if (_settings.Liveness.Detector.Corroborations > 0)
            SaySuspicions(now, corroborate);
    }

    /// <summary>
    /// Brings this node's suspicion pairs in line with its detectors (<see cref="SuspicionBook"/>) and pushes any
    /// change at once, so that the nodes missing the same peer find each other within milliseconds. While this node's
    /// digests are partial (<see cref="ClusterState.DigestsComplete"/>) it suspects no one aloud: heartbeats then
    /// reach nodes by few and shared paths, many nodes miss the same live peer at once, and their suspicions would not
    /// be independent.
    /// </summary>
    private void SaySuspicions(long now, bool aloud)
    {
        var before = _state.Self.MaxVersion;
        if (!_suspicions.Sync(_state, _liveness, now, aloud))
            return;
        RefreshPeerInfo(_settings.NodeId);
        PublishView();
        EagerPush(before);
    }

    private void ApplyTransitions()
    {
        foreach (var (id, transition) in _transitions)
        {
            if (transition != LivenessTransition.None)
                OnTransition(id, transition);
        }

        _transitions.Clear();
    }

    private void AddPeer(string id, long generation, string address)
    {
        if (_children.ContainsKey(id))
            return;
        var child = Context.ActorOf(
            PeerStateActor.Props(_settings.NodeId, id, generation),
            "peer-" + (++_childSequence).ToString(System.Globalization.CultureInfo.InvariantCulture));
        _children[id] = child;
        _liveness[id] = new PeerLiveness(id, generation, _settings.Liveness, _clock.NowMs);
        _status[id] = PeerStatus.Alive;
        Learn(address);
    }

    private void OnTransition(string peerId, LivenessTransition transition)
    {
        // An earlier transition of the same batch may have removed the peer already.
        if (!_liveness.TryGetValue(peerId, out var liveness))
            return;
        var child = _children[peerId];
        var phi = liveness.Phi(_clock.NowMs);
        if (!_state.TryGetNode(peerId, out var node))
        {
            // Not expected (the view and the detectors gain and lose peers together), but a detector must never
            // outlive its peer: drop it quietly rather than report a peer the view no longer has.
            if (transition == LivenessTransition.Removed)
            {
                DropPeer(peerId);
                Context.Stop(child);
            }

            return;
        }

        child.Tell(new PeerTransitioned(peerId, liveness.Generation, transition, phi));
        var self = _settings.NodeId;
        PeerEvent? e = null;
        switch (transition)
        {
            case LivenessTransition.Down:
                _status[peerId] = PeerStatus.Down;
                _state.SetDown(peerId, true);
                // Below the threshold, only other nodes' suspicions can have made the verdict (PeerLiveness.Check).
                var corroborators = phi <= _settings.Liveness.Detector.Threshold ? _state.CountSuspicions(peerId, liveness.Generation, _isLiveObserver) : 0;
                e = new PeerEvent.Down(self, peerId, phi, corroborators);
                break;
            case LivenessTransition.Up:
                _status[peerId] = PeerStatus.Alive;
                _state.SetDown(peerId, false);
                e = new PeerEvent.Up(self, peerId);
                break;
            case LivenessTransition.Left:
                _status[peerId] = PeerStatus.Left;
                e = new PeerEvent.Left(self, peerId, liveness.Generation);
                break;
            case LivenessTransition.Removed:
                _state.Remove(peerId, _clock.NowMs + (long)_settings.RemovedPeerMemory.TotalMilliseconds);
                Forget(node.Address);
                DropPeer(peerId);
                e = new PeerEvent.Removed(self, peerId);
                break;
        }

        if (e is null)
            return;
        RefreshPeerInfo(peerId);
        PublishView();
        _subscription.Tell(new PublishEvents(new[] { e }, _viewHolder.View));
    }

    private void DropPeer(string peerId)
    {
        _status.Remove(peerId);
        _children.Remove(peerId);
        _liveness.Remove(peerId);
    }

    // ------------------------------------------------------------------ local writes and leave

    private void Write(string key, Func<long> write)
    {
        long version;
        var before = _state.Self.MaxVersion;
        try
        {
            version = write();
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            Sender.Tell(new Status.Failure(ex));
            return;
        }

        RefreshPeerInfo(_settings.NodeId);
        PublishView();
        if (!Sender.IsNobody())
            Sender.Tell(new LocalWriteAck(key, version));
        if (version > 0)
            EagerPush(before);
    }

    private void EagerPush(long fromVersion)
    {
        if (!_settings.EagerPush || _settings.EagerPushFanout == 0)
            return;
        CollectPeers();
        if (_liveScratch.Count == 0)
            return;
        var delta = _state.BuildOwnDelta(fromVersion, _codec.MessageBudget - 1, _random);
        if (delta.IsEmpty)
            return;
        PushTo(new PushMessage(PushMessage.HopsFor(_state.Nodes.Count), delta), except: null);
    }

    /// <summary>Sends a push to <see cref="ScuttlebuttSettings.EagerPushFanout"/> random live peers other than <paramref name="except"/>.</summary>
    private void PushTo(PushMessage push, EndPoint? except)
    {
        if (!_settings.EagerPush || _settings.EagerPushFanout == 0)
            return;
        CollectPeers();
        var payload = _codec.Encode(push);
        _random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_liveScratch));
        var sent = 0;
        foreach (var id in _liveScratch)
        {
            if (sent == _settings.EagerPushFanout)
                break;
            if (!_state.TryGetNode(id, out var node) || (except is not null && _resolved.TryGetValue(node.Address, out var ep) && ep.Equals(except)))
                continue;
            SendTo(node.Address, payload);
            sent++;
        }
    }

    private void StartLeaving()
    {
        _leaveWaiters.Add(Sender);
        if (_leaveRoundsLeft >= 0)
            return;
        var before = _state.Self.MaxVersion;
        _state.MarkLeaving();
        _leaveRoundsLeft = _settings.LeaveRounds;
        _log.Info("{0} is leaving the cluster", _settings.NodeId);
        var payload = _codec.Encode(new LeaveMessage(_settings.NodeId, _generation));
        CollectPeers();
        foreach (var id in _liveScratch)
        {
            if (_state.TryGetNode(id, out var node))
                SendTo(node.Address, payload);
        }

        EagerPush(before);
        if (_leaveRoundsLeft == 0)
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

    // ------------------------------------------------------------------ sending and addresses

    private void SendTo(string address, byte[] payload)
    {
        if (_resolved.TryGetValue(address, out var endPoint))
        {
            Send(endPoint, payload);
            return;
        }

        if (GossipAddress.TryParseEndPoint(address, out var literal))
        {
            _resolved[address] = literal!;
            Send(literal!, payload);
            return;
        }

        Resolve(address); // a host name: this send is skipped, later rounds use the resolved address
    }

    private void Learn(string address)
    {
        if (GossipAddress.TryParseEndPoint(address, out var literal))
        {
            _resolved[address] = literal!;
            _knownEndPoints.Add(literal!);
        }
        else
        {
            Resolve(address);
        }
    }

    // A removed peer's endpoint stops being "known" (full-size replies) unless another node still lives there;
    // otherwise nodes invented one after another would grow these sets without bound.
    private void Forget(string address)
    {
        foreach (var n in _state.Nodes.Values)
        {
            if (n.Address == address)
                return;
        }

        if (_resolved.Remove(address, out var endPoint))
            _knownEndPoints.Remove(endPoint);
    }

    private void Resolve(string address)
    {
        if (!_resolving.Add(address) || !GossipAddress.TryParse(address, out var host, out var port))
            return;
        var family = (_bound as IPEndPoint)?.AddressFamily ?? AddressFamily.InterNetwork;
        Dns.GetHostAddressesAsync(host).PipeTo(Self,
            success: ips =>
            {
                var ip = ips.FirstOrDefault(a => a.AddressFamily == family) ?? ips.FirstOrDefault();
                return new AddressResolved(address, ip is null ? null : new IPEndPoint(ip, port));
            },
            failure: _ => new AddressResolved(address, null));
    }

    private void Send(EndPoint remote, byte[] payload)
    {
        _viewHolder.Statistics.CountOut(payload.Length);
        ScuttlebuttMetrics.Sent(_settings.NodeId, payload.Length);
        _outbound.Tell(new Datagram(payload, remote));
    }

    // ------------------------------------------------------------------ the published view

    private void RefreshPeerInfo(string id)
    {
        if (!_state.TryGetNode(id, out var node))
        {
            _peers = _peers.Remove(id);
            return;
        }

        var values = ImmutableDictionary.CreateBuilder<string, VersionedValue>(StringComparer.Ordinal);
        foreach (var (key, value) in node.Pairs)
        {
            if (!value.IsDeleted && !ReservedKeys.IsReserved(key))
                values[key] = value;
        }

        var status = id == _settings.NodeId
            ? (node.HasLeft ? PeerStatus.Left : PeerStatus.Alive)
            : _status.GetValueOrDefault(id, PeerStatus.Alive);
        _peers = _peers.SetItem(id, new PeerInfo(id, node.Generation, node.Address, status, node.MaxVersion, values.ToImmutable()));
    }

    private void PublishView() => _viewHolder.View = new ClusterView(_settings.NodeId, _peers);
}
