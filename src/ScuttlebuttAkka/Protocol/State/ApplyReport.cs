namespace ScuttlebuttAkka.Protocol.State;

/// <summary>What applying one message did: the changes to report, whose heartbeats advanced, and what was rejected and why.</summary>
internal sealed class ApplyReport
{
    /// <summary>Changes in the order they were applied.</summary>
    public List<StateChange> Changes { get; } = new();

    /// <summary>
    /// Nodes whose heartbeat advanced (a failure-detector arrival), each at most once per report. A node this message
    /// discovered or found restarted is not listed: its <see cref="NodeDiscovered"/> or <see cref="NodeRestarted"/>
    /// is its arrival.
    /// </summary>
    public List<string> HeartbeatsAdvanced { get; } = new();

    /// <summary>
    /// Nodes whose copy changed in this message: discovered, restarted, rebuilt, or holding pairs up to a higher version
    /// (reserved pairs included). A heartbeat alone does not count: it changes nothing a reader of the view sees.
    /// </summary>
    public HashSet<string> Advanced { get; } = new(StringComparer.Ordinal);

    /// <summary>Nodes already heard from in this message: listed in <see cref="HeartbeatsAdvanced"/>, discovered or restarted.</summary>
    internal HashSet<string> Arrived { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether some node's suspicion of a peer (a reserved pair, see <see cref="ClusterState.SetSuspicion"/>) was set or cleared.</summary>
    public bool SuspicionsChanged { get; internal set; }

    /// <summary>Node deltas that carried nothing newer than what was held.</summary>
    public int Stale { get; internal set; }

    /// <summary>Node deltas that started past what was held, so applying them would leave a gap.</summary>
    public int NonContiguous { get; internal set; }

    /// <summary>Node deltas or digest entries about an older incarnation than the one held.</summary>
    public int OldGeneration { get; internal set; }

    /// <summary>News of a node that was removed and is still remembered, so it may not come back.</summary>
    public int FromRemovedNode { get; internal set; }

    /// <summary>A node delta for an unknown node without the address to reach it.</summary>
    public int UnknownWithoutAddress { get; internal set; }

    /// <summary>New nodes refused because the view holds <see cref="ProtocolLimits.MaxNodes"/> already.</summary>
    public int OverNodeLimit { get; internal set; }

    /// <summary>Pairs refused because their node holds <see cref="ProtocolLimits.MaxKeysPerNode"/> keys already.</summary>
    public int OverKeyLimit { get; internal set; }

    /// <summary>Node deltas whose versions were out of order or out of their stated range.</summary>
    public int Malformed { get; internal set; }

    /// <summary>Gossip about this node itself, which only this node may write.</summary>
    public int AboutSelf { get; internal set; }

    /// <summary>
    /// Non-zero when a peer spoke of this node as a newer incarnation than its own (this generation), or as this one
    /// ahead of what it wrote or beat (this node's own generation then): the incarnation peers hold is not this one, for
    /// this node restarted with a generation at or below an earlier one's (a clock set back, or a generation fixed in the
    /// settings). The runtime then takes a generation above it.
    /// </summary>
    public long SelfSupersededBy { get; private set; }

    /// <summary>How many node deltas, digest entries or pairs were rejected, all reasons together.</summary>
    public int Rejected => Stale + NonContiguous + OldGeneration + FromRemovedNode + UnknownWithoutAddress + OverNodeLimit + OverKeyLimit + Malformed + AboutSelf;

    /// <summary>True when something was rejected.</summary>
    public bool AnyRejected => Rejected > 0;

    /// <summary>Records what a peer said about this node (<paramref name="self"/>): an incarnation and how far it got.</summary>
    internal void NoteAboutSelf(NodeState self, long generation, long version, long heartbeat)
    {
        if (generation > self.Generation || (generation == self.Generation && (version > self.MaxVersion || heartbeat > self.Heartbeat)))
            SelfSupersededBy = Math.Max(SelfSupersededBy, generation);
    }

    /// <summary>Empties the report for reuse.</summary>
    public void Clear()
    {
        Changes.Clear();
        HeartbeatsAdvanced.Clear();
        Arrived.Clear();
        Advanced.Clear();
        SuspicionsChanged = false;
        SelfSupersededBy = 0;
        Stale = NonContiguous = OldGeneration = FromRemovedNode = UnknownWithoutAddress = OverNodeLimit = OverKeyLimit = Malformed = AboutSelf = 0;
    }
}
