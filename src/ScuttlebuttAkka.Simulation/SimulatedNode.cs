using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Liveness;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Simulation;

/// <summary>
/// One node slot of a <see cref="ClusterSimulator"/>: a fixed id and address, and the incarnation currently running
/// there (or none, after a crash or a leave). Read its state between steps of the simulation; change it only through
/// the simulator.
/// </summary>
public sealed class SimulatedNode
{
    internal SimulatedNode(int index, string id, string address, ScuttlebuttSettings settings)
    {
        Index = index;
        Id = id;
        Address = address;
        Codec = settings.CreateCodec();
    }

    /// <summary>The slot's position in <see cref="ClusterSimulator.Nodes"/>.</summary>
    public int Index { get; }

    /// <summary>The node id, the same across restarts.</summary>
    public string Id { get; }

    /// <summary>The gossip address, the same across restarts.</summary>
    public string Address { get; }

    /// <summary>True while an incarnation runs.</summary>
    public bool IsRunning { get; internal set; }

    /// <summary>True when the last incarnation stopped after a graceful leave (false while running or after a crash).</summary>
    public bool HasLeft { get; internal set; }

    /// <summary>True while the running incarnation announces its leave and gossips its last rounds.</summary>
    public bool IsLeaving => IsRunning && LeaveRoundsLeft >= 0;

    /// <summary>The generation of the running (or last) incarnation; 0 before the first start.</summary>
    public long Generation { get; internal set; }

    /// <summary>How many incarnations have started in this slot.</summary>
    public int Starts { get; internal set; }

    /// <summary>The running incarnation's view of the cluster; null when nothing runs (a crash loses the state).</summary>
    public ClusterState? State { get; internal set; }

    /// <summary>Rounds this slot has run, every incarnation together.</summary>
    public long Rounds { get; internal set; }

    /// <summary>Datagrams sent, every incarnation together.</summary>
    public long DatagramsSent { get; internal set; }

    /// <summary>Bytes sent, every incarnation together.</summary>
    public long BytesSent { get; internal set; }

    /// <summary>Datagrams received, every incarnation together (those dropped by the decoder included).</summary>
    public long DatagramsReceived { get; internal set; }

    /// <summary>Bytes received, every incarnation together.</summary>
    public long BytesReceived { get; internal set; }

    /// <summary>Received datagrams the decoder dropped.</summary>
    public long DatagramsDropped { get; internal set; }

    /// <summary>How the running incarnation judges <paramref name="peerId"/>; null when it tracks no such peer.</summary>
    public PeerStatus? StatusOf(string peerId) =>
        Liveness.TryGetValue(peerId, out var l) ? l.Status : KnownPeers.Contains(peerId) ? PeerStatus.Alive : null;

    /// <summary>Every peer the running incarnation tracks, with its status.</summary>
    public IEnumerable<KeyValuePair<string, PeerStatus>> PeerStatuses =>
        Liveness.Select(kv => new KeyValuePair<string, PeerStatus>(kv.Key, kv.Value.Status))
            .Concat(KnownPeers.Select(id => new KeyValuePair<string, PeerStatus>(id, PeerStatus.Alive)));

    /// <inheritdoc />
    public override string ToString() => IsRunning ? $"{Id}@{Generation}" : $"{Id} (stopped)";

    // The running incarnation's runtime, mirroring the GossiperActor's fields.
    internal DatagramCodec Codec { get; }

    internal int Incarnation { get; set; }

    internal Dictionary<string, PeerLiveness> Liveness { get; } = new(StringComparer.Ordinal);

    internal HashSet<string> KnownAddresses { get; } = new(StringComparer.Ordinal);

    /// <summary>Without failure detection: the peers taken as alive (<see cref="Live"/> holds the same, kept in step).</summary>
    internal HashSet<string> KnownPeers { get; } = new(StringComparer.Ordinal);

    internal string[] Seeds { get; set; } = Array.Empty<string>();

    internal bool SeedRequestPending { get; set; }

    internal long RoundNumber { get; set; }

    /// <summary>Introduction pushes this node may still send this round (see <c>GossiperActor.Introduce</c>).</summary>
    internal int IntroductionsLeft { get; set; } = ClusterState.IntroductionsPerRound;

    internal int LeaveRoundsLeft { get; set; } = -1;

    /// <summary>Per peer, the newest generation this incarnation removed: gossip must never bring it back.</summary>
    internal Dictionary<string, long> Removed { get; } = new(StringComparer.Ordinal);

    internal List<string> Live { get; } = new();

    /// <summary>The incarnation <see cref="Live"/> and <see cref="Down"/> were collected for; they are stale for any other.</summary>
    internal int PeersCollectedFor { get; set; } = -1;

    /// <summary>Set when a peer was added or removed or changed status since <see cref="Live"/> and <see cref="Down"/> were collected.</summary>
    internal bool PeersChanged { get; set; }

    internal List<string> Down { get; } = new();

    internal List<string> Targets { get; } = new();

    internal List<string> SeedTargets { get; } = new();

    internal List<string> PushTargets { get; } = new();

    internal List<PeerLiveness> CheckScratch { get; } = new();

    /// <summary>Peers this node says it suspects (see <c>ClusterState.SetSuspicion</c>).</summary>
    internal SuspicionBook Suspicions { get; } = new();
}
