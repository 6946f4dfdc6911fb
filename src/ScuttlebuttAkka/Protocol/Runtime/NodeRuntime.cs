using System.Net;
using ScuttlebuttAkka.Protocol.Liveness;
using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Protocol.Runtime;

/// <summary>
/// Everything one node decides, as a state machine that never touches a socket, a clock or a thread. Its driver feeds it
/// inputs (a round is due, a datagram arrived, the application wrote or leaves, seeds or an address were resolved),
/// each with the current time, and after each input carries out <see cref="Output"/>: the datagrams to send, the
/// events to publish, the addresses to resolve. <c>GossiperActor</c> drives it over UDP in an actor system and
/// <c>ClusterSimulator</c> drives thousands of them in virtual time, so every simulated figure is the shipped code's.
/// Deterministic given the inputs and the random source. Not thread-safe: one driver thread at a time.
/// </summary>
internal sealed partial class NodeRuntime
{
    private readonly ScuttlebuttSettings _settings;
    private readonly NodeRuntimeOptions _options;
    private readonly DatagramCodec _codec;
    private readonly Random _random;
    private readonly RuntimeTelemetry _telemetry;
    private readonly StallGuard _stallGuard;
    private readonly SuspicionBook _suspicions = new();
    private readonly AddressBook _addresses;
    private readonly PeerRoster _roster;
    private readonly ViewBuilder _view;
    private readonly ApplyReport _report = new();
    private readonly List<(string PeerId, LivenessTransition Transition, int CorroboratedBy)> _transitions = new();
    private readonly List<string> _targets = new();
    private readonly List<string> _seedTargets = new();
    private readonly List<string> _pushTargets = new();
    private readonly HashSet<string> _touched = new(StringComparer.Ordinal);
    private readonly Func<string, bool> _isLiveObserver;
    private readonly long _heartbeatGapMs;
    private readonly long _removedMemoryMs;

    private string[] _seeds = Array.Empty<string>();
    private bool _seedRequestPending;
    private long _roundNumber;
    private int _introductionsLeft = ClusterState.IntroductionsPerRound;
    private int _leaveRoundsLeft = -1;
    private int _budgetCap = int.MaxValue;
    private bool _reincarnatedThisRound;

    /// <summary>
    /// Starts node <paramref name="settings"/>.NodeId as incarnation <paramref name="generation"/>, reachable at
    /// <paramref name="address"/>, at <paramref name="nowMs"/>: its initial keys are written and its view published
    /// (read <see cref="Output"/>). The driver then runs a round at once and one every gossip interval.
    /// </summary>
    public NodeRuntime(ScuttlebuttSettings settings, long generation, string address, long nowMs, Random random, NodeRuntimeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(random);
        _settings = settings.Validate();
        _options = options ?? NodeRuntimeOptions.Default;
        _codec = settings.CreateCodec();
        _random = random;
        _telemetry = _options.Telemetry ?? RuntimeTelemetry.None;
        var intervalMs = Math.Max(1, (long)settings.GossipInterval.TotalMilliseconds);
        _stallGuard = new StallGuard(intervalMs);
        // A peer's heartbeat often advances twice in one round (in a digest and in a reply); counting it at most once per
        // half interval keeps the detector's samples about the peer, not about how gossip reached us.
        _heartbeatGapMs = intervalMs / 2;
        _removedMemoryMs = (long)settings.RemovedPeerMemory.TotalMilliseconds;
        State = new ClusterState(settings.NodeId, generation, address, settings.Limits) { DeltaOrdering = _options.DeltaOrdering };
        _addresses = new AddressBook(_options.ParseEndPoint);
        _roster = new PeerRoster(State);
        _view = new ViewBuilder(settings.NodeId, _options.PublishView);
        _isLiveObserver = id => State.TryGetNode(id, out var n) && n.Liveness is { Status: PeerStatus.Alive };
        foreach (var (key, value) in settings.InitialState)
            State.Set(key, value, nowMs);
        OwnStateChanged();
        Finish();
    }

    /// <summary>This node's id.</summary>
    public string NodeId => _settings.NodeId;

    /// <summary>This node's incarnation.</summary>
    public long Generation => State.Self.Generation;

    /// <summary>The address peers reach this node at.</summary>
    public string Address => State.Self.Address;

    /// <summary>The node's view of the cluster. Read it between inputs; only the runtime changes it.</summary>
    public ClusterState State { get; }

    /// <summary>The latest immutable snapshot of the view, for readers on any thread (empty unless <see cref="NodeRuntimeOptions.PublishView"/>).</summary>
    public ClusterView View => _view.View;

    /// <summary>What the last input asks the driver to do.</summary>
    public RuntimeOutput Output { get; } = new();

    /// <summary>True between <see cref="Leave"/> and the end of the last leave round.</summary>
    public bool IsLeaving => _leaveRoundsLeft >= 0 && !HasStopped;

    /// <summary>True once a leave finished: the node takes no more input.</summary>
    public bool HasStopped { get; private set; }

    /// <summary>Rounds that came late and did not judge peers (see <see cref="StallGuard"/>).</summary>
    public long LateRounds => _stallGuard.LateRounds;

    /// <summary>
    /// The message budget: the datagram size less encryption, capped by <see cref="BudgetCap"/>. Experiments lower the
    /// cap to study reconciliation under a tight budget, as the paper does.
    /// </summary>
    public int MessageBudget => Math.Min(_codec.MessageBudget, _budgetCap);

    /// <summary>A cap on <see cref="MessageBudget"/> (at least <see cref="WireFormat.MinimumBudget"/>); <see cref="int.MaxValue"/> for none.</summary>
    public int BudgetCap
    {
        get => _budgetCap;
        set => _budgetCap = value >= WireFormat.MinimumBudget ? value : throw new ArgumentOutOfRangeException(nameof(value), value, $"A budget cap must be at least {WireFormat.MinimumBudget} bytes.");
    }

    /// <summary>How this node judges <paramref name="peerId"/>; null when it does not know it (or it is this node).</summary>
    public PeerStatus? StatusOf(string peerId) =>
        peerId != NodeId && State.TryGetNode(peerId, out var n) ? PeerRoster.StatusOf(n) : null;

    // ================================================================ inputs

    /// <summary>A round is due at <paramref name="nowMs"/>: bump the heartbeat, judge the peers, gossip with a target.</summary>
    public void Tick(long nowMs)
    {
        if (!Begin())
            return;
        _roundNumber++;
        _introductionsLeft = ClusterState.IntroductionsPerRound;
        _reincarnatedThisRound = false;
        _telemetry.RoundStarted();
        if (RoundChores.Run(State, _roundNumber, nowMs, _settings.GossipInterval, _settings.TombstoneGracePeriod))
            OwnStateChanged();

        if (_leaveRoundsLeft == 0)
        {
            FinishLeaving();
            return;
        }

        if (_leaveRoundsLeft > 0)
            _leaveRoundsLeft--;

        // Peers are judged at the start of every round, before targets are chosen: on the round's own wake-up rather
        // than a timer of their own. Not in a round that comes late, though: then this node was the one stalled.
        if (_options.FailureDetection)
        {
            if (_stallGuard.ShouldJudge(nowMs))
                JudgePeers(nowMs);
            else
                Notice(NoticeLevel.Warning, $"{NodeId} ran a round late (stalled?); peers are judged from the next one");
        }

        _roster.Collect();
        GossipTargets.Choose(_roster.Live, _roster.Down, _seeds, _settings.DownPeerGossipProbability, _settings.SeedGossipProbability, _random, _targets, _seedTargets);
        if (_roster.Live.Count == 0 && !_seedRequestPending)
        {
            _seedRequestPending = true;
            Output.SeedsRequested = true;
        }

        if (_targets.Count > 0 || _seedTargets.Count > 0)
            SendDigest(_targets, _seedTargets);
        Finish();
    }

    /// <summary>A datagram arrived from <paramref name="source"/> at <paramref name="nowMs"/>. Bad input is dropped and counted, never thrown.</summary>
    public void Receive(ReadOnlySpan<byte> payload, EndPoint source, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!Begin())
            return;
        var length = payload.Length;
        _telemetry.DatagramReceived(length);
        var reason = _codec.TryDecode(payload, out var message);
        if (reason != DropReason.None)
        {
            _telemetry.DatagramDropped(reason);
            if (_options.MinimumNoticeLevel <= NoticeLevel.Debug)
                Notice(NoticeLevel.Debug, $"{NodeId} dropped a {length}-byte datagram from {source}: {reason}");
            Finish();
            return;
        }

        var report = _report;
        report.Clear();
        try
        {
            var budget = ClusterState.ReplyBudget(_addresses.IsKnown(source), length, MessageBudget, _codec.Overhead);
            var reply = State.Receive(message!, budget, MessageBudget, nowMs, _random, report);
            if (reply is not null)
                Send(source, _codec.Encode(reply));
            if (message is PushMessage push && push.NextHop(report) is { } next)
                PushTo(next, except: source);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Only a bug gets here; one bad datagram must not take the node down, so drop it, count it and say so.
            _telemetry.DatagramDropped(DropReason.ProcessingFailed);
            Notice(NoticeLevel.Error, $"{NodeId} failed to process a {message!.GetType().Name} from {source}; the datagram was dropped", ex);
        }

        Process(report, nowMs);
        if (message is not PushMessage)
            Introduce(report, source);
        if (report.SelfSupersededBy > 0)
            Reincarnate(report.SelfSupersededBy);
        Finish();
    }

    /// <summary>
    /// The application sets one of this node's keys; returns the version it got. Throws <see cref="ArgumentException"/>
    /// or <see cref="InvalidOperationException"/> for a bad key or value, a full node or a stopped node, changing nothing.
    /// </summary>
    public long Write(string key, string value, TimeSpan? timeToLive, long nowMs)
    {
        EnsureRunning();
        Begin();
        var before = State.Self.MaxVersion;
        var version = State.Set(key, value, nowMs, timeToLive);
        OwnStateChanged();
        EagerPush(before);
        Finish();
        return version;
    }

    /// <summary>The application deletes one of this node's keys; returns the tombstone's version, or 0 when there was nothing to delete.</summary>
    public long Delete(string key, long nowMs)
    {
        EnsureRunning();
        Begin();
        var before = State.Self.MaxVersion;
        var version = State.Delete(key, nowMs);
        if (version > 0)
        {
            OwnStateChanged();
            EagerPush(before);
        }

        Finish();
        return version;
    }

    /// <summary>
    /// The application leaves gracefully: the leave mark is written and pushed, every live peer is told directly, and the
    /// node gossips <see cref="ScuttlebuttSettings.LeaveRounds"/> more rounds before <see cref="RuntimeOutput.LeaveCompleted"/>.
    /// </summary>
    public void Leave(long nowMs)
    {
        if (!Begin() || _leaveRoundsLeft >= 0)
        {
            Finish();
            return;
        }

        var before = State.Self.MaxVersion;
        State.MarkLeaving();
        _leaveRoundsLeft = _settings.LeaveRounds;
        Notice(NoticeLevel.Info, $"{NodeId} is leaving the cluster");
        var payload = _codec.Encode(new LeaveMessage(NodeId, Generation));
        _roster.Collect();
        foreach (var id in _roster.Live)
        {
            if (State.TryGetNode(id, out var node))
                SendTo(node, payload);
        }

        OwnStateChanged();
        EagerPush(before);
        if (_leaveRoundsLeft == 0)
            FinishLeaving();
        Finish();
    }

    /// <summary>The seed provider answered (an empty list when it failed); a node still alone contacts a few of them at once.</summary>
    public void SeedsResolved(IReadOnlyList<string> seeds, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        if (!Begin())
            return;
        _seedRequestPending = false;
        _seeds = GossipTargets.UsableSeeds(seeds, Address);
        if (_roster.LiveCount == 0 && _seeds.Length > 0)
        {
            _seedTargets.Clear();
            GossipTargets.ChooseSeeds(_seeds, _random, _seedTargets);
            _targets.Clear();
            SendDigest(_targets, _seedTargets);
        }

        Finish();
    }

    /// <summary>The driver resolved <paramref name="address"/> to <paramref name="endPoint"/> (null: it could not); later sends use it.</summary>
    public void AddressResolved(string address, EndPoint? endPoint)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!Begin())
            return;
        _addresses.Resolved(address, endPoint, State.NodeList);
        Finish();
    }

    /// <summary>
    /// Applies <paramref name="delta"/> as if a peer had sent it, without a reply: experiments on thousands of simulated
    /// nodes use it to start from a formed cluster.
    /// </summary>
    internal void Introduce(Delta delta, long nowMs)
    {
        if (!Begin())
            return;
        var report = _report;
        report.Clear();
        State.ApplyDelta(delta, nowMs, report);
        Process(report, nowMs);
        Finish();
    }

    // ================================================================ bookkeeping

    /// <summary>
    /// A peer spoke of this node as an incarnation at or above <paramref name="seen"/>, newer than this one or ahead of
    /// it: this node restarted with a generation no higher than an earlier incarnation's (its clock was set back, or a
    /// generation is fixed in the settings), and peers would refuse it or take its writes for stale ones. It carries on
    /// as the next generation above, its keys written again, once a round at most, so forged claims cannot make it churn.
    /// </summary>
    private void Reincarnate(long seen)
    {
        if (_reincarnatedThisRound)
            return;
        if (seen >= long.MaxValue - 1)
        {
            Notice(NoticeLevel.Error, $"{NodeId} heard of itself as generation {seen}, which leaves no higher one to take; it keeps generation {Generation}");
            return;
        }

        var from = Generation;
        var next = Math.Max(seen, from) + 1;
        _reincarnatedThisRound = true;
        State.Reincarnate(next);
        Output.GenerationChanged = true;
        OwnStateChanged();
        Notice(NoticeLevel.Warning, $"{NodeId} heard of itself as generation {seen}, not its own {from} (restarted with its clock set back, or with a fixed generation?); it carries on as generation {next}");
    }

    private void FinishLeaving()
    {
        HasStopped = true;
        Output.LeaveCompleted = true;
        Finish();
    }

    private void OwnStateChanged()
    {
        _view.Refresh(State, NodeId, Output);
        Output.AdvancedNodes.Add(NodeId);
    }

    private void Notice(NoticeLevel level, string message, Exception? exception = null)
    {
        if (level >= _options.MinimumNoticeLevel)
            Output.Notices.Add(new RuntimeNotice(level, message, exception));
    }

    // Every input starts with an empty output; a stopped node takes none.
    private bool Begin()
    {
        Output.Clear();
        return !HasStopped;
    }

    private void Finish()
    {
        if (_view.Publish())
            Output.ViewChanged = true;
    }

    private void EnsureRunning()
    {
        if (HasStopped)
            throw new InvalidOperationException($"Node {NodeId} has left the cluster and takes no more writes.");
    }
}
