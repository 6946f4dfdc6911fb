using Akka.Actor;

namespace ScuttlebuttAkka.Bench.Clusters;

/// <summary>
/// Subscribed to every <see cref="PeerEvent"/> of an ActorSystem (all nodes of a bench cluster share one), it turns
/// each into an <see cref="Observation"/> stamped on arrival. Only the benchmark key's updates are kept.
/// </summary>
internal sealed class PeerEventRecorder : ReceiveActor
{
    /// <summary>Creates a recorder writing into <paramref name="log"/> with times from <paramref name="now"/>.</summary>
    public PeerEventRecorder(ObservationLog log, Func<TimeSpan> now, string valueKey)
    {
        Receive<PeerEvent>(e =>
        {
            if (ToObservation(e, now(), valueKey) is { } observation)
                log.Record(observation);
        });
    }

    /// <summary>What <paramref name="e"/> means to the benchmark, stamped <paramref name="at"/>; null when it does not matter to it.</summary>
    public static Observation? ToObservation(PeerEvent e, TimeSpan at, string valueKey) => e switch
    {
        PeerEvent.Joined or PeerEvent.Restarted => new Observation(at, e.NodeId, e.PeerId, ObservationKind.Joined),
        PeerEvent.Updated u when u.Key == valueKey => new Observation(at, e.NodeId, e.PeerId, ObservationKind.Updated, u.Value),
        PeerEvent.Down => new Observation(at, e.NodeId, e.PeerId, ObservationKind.Down),
        PeerEvent.Up => new Observation(at, e.NodeId, e.PeerId, ObservationKind.Reachable),
        PeerEvent.Left => new Observation(at, e.NodeId, e.PeerId, ObservationKind.Left),
        PeerEvent.Removed => new Observation(at, e.NodeId, e.PeerId, ObservationKind.Removed),
        _ => null,
    };

    /// <summary>Props for a recorder.</summary>
    public static Props Props(ObservationLog log, Func<TimeSpan> now, string valueKey) =>
        Akka.Actor.Props.Create(() => new PeerEventRecorder(log, now, valueKey));
}
