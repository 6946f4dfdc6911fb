using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using ScuttlebuttAkka.Bench.Clusters;

namespace ScuttlebuttAkka.Bench.Compare;

/// <summary>
/// Runs in each Akka node and turns what that node sees (cluster membership and reachability events, and changes of
/// the replicated dictionary) into <see cref="Observation"/>s, so the same scenarios measure Akka and us.
/// </summary>
internal sealed class AkkaMemberProbe : ReceiveActor
{
    private readonly string _selfId;
    private readonly Func<Address, string> _idOf;
    private readonly ObservationLog _log;
    private readonly Func<TimeSpan> _now;
    private readonly IActorRef _replicator;
    private readonly LWWDictionaryKey<string, string> _key;
    private readonly Dictionary<string, string> _lastValues = new(StringComparer.Ordinal);

    /// <summary>Creates the probe of node <paramref name="selfId"/>.</summary>
    public AkkaMemberProbe(string selfId, Func<Address, string> idOf, ObservationLog log, Func<TimeSpan> now, IActorRef replicator, LWWDictionaryKey<string, string> key)
    {
        _selfId = selfId;
        _idOf = idOf;
        _log = log;
        _now = now;
        _replicator = replicator;
        _key = key;
        Receive<ClusterEvent.MemberJoined>(m => Record(m.Member, ObservationKind.Joined));
        Receive<ClusterEvent.MemberWeaklyUp>(m => Record(m.Member, ObservationKind.Joined));
        Receive<ClusterEvent.MemberUp>(m =>
        {
            Record(m.Member, ObservationKind.Joined);
            Record(m.Member, ObservationKind.Admitted);
        });
        Receive<ClusterEvent.MemberLeft>(m => Record(m.Member, ObservationKind.Left));
        Receive<ClusterEvent.MemberExited>(m => Record(m.Member, ObservationKind.Left));
        Receive<ClusterEvent.MemberRemoved>(m =>
        {
            // A node that saw the leave only at removal still saw a leave, not a failure.
            if (m.PreviousStatus is MemberStatus.Exiting or MemberStatus.Leaving)
                Record(m.Member, ObservationKind.Left);
            Record(m.Member, ObservationKind.Removed);
        });
        Receive<ClusterEvent.UnreachableMember>(m => Record(m.Member, ObservationKind.Down));
        Receive<ClusterEvent.ReachableMember>(m => Record(m.Member, ObservationKind.Reachable));
        Receive<Changed>(c =>
        {
            if (!c.Key.Equals(_key))
                return;
            foreach (var (writer, value) in c.Get(_key).Entries)
            {
                if (_lastValues.TryGetValue(writer, out var last) && last == value)
                    continue;
                _lastValues[writer] = value;
                if (writer != _selfId)
                    _log.Record(new Observation(_now(), _selfId, writer, ObservationKind.Updated, value));
            }
        });
        ReceiveAny(_ => { });
    }

    /// <summary>Props for the probe of node <paramref name="selfId"/>.</summary>
    public static Props Props(string selfId, Func<Address, string> idOf, ObservationLog log, Func<TimeSpan> now, IActorRef replicator, LWWDictionaryKey<string, string> key) =>
        Akka.Actor.Props.Create(() => new AkkaMemberProbe(selfId, idOf, log, now, replicator, key));

    /// <inheritdoc />
    protected override void PreStart()
    {
        Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        _replicator.Tell(Dsl.Subscribe(_key, Self));
    }

    /// <inheritdoc />
    protected override void PostStop() => Cluster.Get(Context.System).Unsubscribe(Self);

    private void Record(Member member, ObservationKind kind)
    {
        var peer = _idOf(member.Address);
        if (peer != _selfId)
            _log.Record(new Observation(_now(), _selfId, peer, kind));
    }
}
