using System.Globalization;
using Akka.Actor;

namespace ScuttlebuttAkka.Agent;

/// <summary>Prints each membership event (and, if asked, each key change) of the node as one line.</summary>
internal sealed class EventPrinter : ReceiveActor
{
    /// <summary>Creates a printer writing through <paramref name="write"/>.</summary>
    public EventPrinter(Action<string> write, bool showUpdates)
    {
        Receive<PeerEvent>(e =>
        {
            var line = Describe(e, showUpdates);
            if (line is not null)
                write(line);
        });
    }

    /// <summary>Props for a printer.</summary>
    public static Props Props(Action<string> write, bool showUpdates) => Akka.Actor.Props.Create(() => new EventPrinter(write, showUpdates));

    /// <summary>The line for <paramref name="e"/>, or null when it is not printed.</summary>
    public static string? Describe(PeerEvent e, bool showUpdates) => e switch
    {
        PeerEvent.Joined j => $"joined {j.PeerId} {j.Address} generation={j.Generation}",
        PeerEvent.Down d => double.IsNaN(d.Phi) ? $"down {d.PeerId}" : string.Create(CultureInfo.InvariantCulture, $"down {d.PeerId} phi={d.Phi:0.0}"),
        PeerEvent.Up u => $"up {u.PeerId}",
        PeerEvent.Restarted r => $"restarted {r.PeerId} {r.Address} generation={r.OldGeneration}->{r.NewGeneration}",
        PeerEvent.Left l => $"left {l.PeerId}",
        PeerEvent.Removed r => $"removed {r.PeerId}",
        PeerEvent.Updated u when showUpdates => $"updated {u.PeerId} {u.Key}={u.Value} version={u.Version}",
        PeerEvent.KeyDeleted k when showUpdates => $"deleted {k.PeerId} {k.Key} version={k.Version}",
        _ => null,
    };
}
