using System.Net;

namespace ScuttlebuttAkka.Protocol.Runtime;

/// <summary>A datagram the runtime wants sent.</summary>
/// <param name="To">Where to: a peer's resolved address, a seed, or the source of the datagram being answered.</param>
/// <param name="Payload">The encoded datagram, at most the configured size.</param>
internal readonly record struct OutgoingDatagram(EndPoint To, byte[] Payload);

/// <summary>A peer's liveness changed in this node's eyes: a failure-detector verdict or a lifecycle step.</summary>
/// <param name="PeerId">The peer.</param>
/// <param name="Generation">The incarnation the change is about.</param>
/// <param name="Transition">Down, up, left or removed.</param>
/// <param name="Phi">The detector's phi at that moment (NaN when no detector runs).</param>
/// <param name="CorroboratedBy">For a down verdict reached with other nodes' suspicions, how many; 0 otherwise.</param>
internal readonly record struct LivenessChange(string PeerId, long Generation, LivenessTransition Transition, double Phi, int CorroboratedBy);

/// <summary>How much a <see cref="RuntimeNotice"/> matters, as a log level.</summary>
internal enum NoticeLevel
{
    /// <summary>Detail for troubleshooting (a dropped datagram, say).</summary>
    Debug,

    /// <summary>A lifecycle step of this node.</summary>
    Info,

    /// <summary>Something an operator may want to look at.</summary>
    Warning,

    /// <summary>A bug: something the runtime did not expect and recovered from.</summary>
    Error,
}

/// <summary>Something the runtime wants logged.</summary>
/// <param name="Level">How much it matters.</param>
/// <param name="Message">What happened, in a sentence.</param>
/// <param name="Exception">The exception behind it, if any.</param>
internal readonly record struct RuntimeNotice(NoticeLevel Level, string Message, Exception? Exception = null);

/// <summary>
/// What one input to a <see cref="NodeRuntime"/> asks its driver to do, in order: send these datagrams, publish these
/// events (after the view, which is already current), resolve these addresses, ask the seed provider, log these
/// notices, stop. The runtime empties it at the start of every input, so a driver reads it right after each call and
/// copies what it keeps.
/// </summary>
internal sealed class RuntimeOutput
{
    private readonly HashSet<string> _changedPeerSet = new(StringComparer.Ordinal);

    /// <summary>Datagrams to send, in the order the runtime produced them.</summary>
    public List<OutgoingDatagram> Datagrams { get; } = new();

    /// <summary>Events to publish, in order: a received message's changes first, then the liveness changes they caused.</summary>
    public List<PeerEvent> Events { get; } = new();

    /// <summary>The liveness changes among <see cref="Events"/>, with the incarnation and the detector's reading.</summary>
    public List<LivenessChange> LivenessChanges { get; } = new();

    /// <summary>Peers (not this node) whose entry in <see cref="NodeRuntime.View"/> changed or went away, each once.</summary>
    public List<string> ChangedPeers { get; } = new();

    /// <summary>Nodes (this one included) whose copy in the view changed: new pairs, a new incarnation, a rebuild.</summary>
    public HashSet<string> AdvancedNodes { get; } = new(StringComparer.Ordinal);

    /// <summary>True when <see cref="NodeRuntime.View"/> is a new snapshot.</summary>
    public bool ViewChanged { get; internal set; }

    /// <summary>True when the node is alone and wants seeds: call the seed provider, then <see cref="NodeRuntime.SeedsResolved"/>.</summary>
    public bool SeedsRequested { get; internal set; }

    /// <summary>Host names to resolve, each asked once; answer with <see cref="NodeRuntime.AddressResolved"/>.</summary>
    public List<string> AddressesToResolve { get; } = new();

    /// <summary>Things to log.</summary>
    public List<RuntimeNotice> Notices { get; } = new();

    /// <summary>True when a graceful leave has finished its last round: the node has stopped and takes no more input.</summary>
    public bool LeaveCompleted { get; internal set; }

    /// <summary>True when this node took a new generation (it heard of itself as a newer incarnation than its own).</summary>
    public bool GenerationChanged { get; internal set; }

    internal void ChangedPeer(string peerId)
    {
        if (_changedPeerSet.Add(peerId))
            ChangedPeers.Add(peerId);
    }

    internal void Clear()
    {
        Datagrams.Clear();
        Events.Clear();
        LivenessChanges.Clear();
        ChangedPeers.Clear();
        _changedPeerSet.Clear();
        AdvancedNodes.Clear();
        ViewChanged = false;
        SeedsRequested = false;
        AddressesToResolve.Clear();
        Notices.Clear();
        LeaveCompleted = false;
        GenerationChanged = false;
    }
}
