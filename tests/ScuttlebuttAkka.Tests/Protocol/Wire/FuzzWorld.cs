using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;
using ScuttlebuttAkka.Tests.Protocol.Reconciliation;

namespace ScuttlebuttAkka.Tests.Protocol.Wire;

/// <summary>
/// A small deterministic cluster built with the real protocol core, seen from one node (the target) that is behind, and
/// a corpus of valid datagrams about it: what its peers would really send it (digests, responses, deltas from any
/// version, reset deltas after tombstone collection, a restarted peer, leaves) plus generated messages, some aimed at
/// the target's peers so that their mutants reach deep into delta application.
/// </summary>
internal sealed class FuzzWorld
{
    public const string ClusterName = "fuzz";
    private const string TargetId = "target";
    private const string TargetAddress = "127.0.0.1:7000";
    private const long TargetGeneration = 1;

    private readonly ProtocolLimits _limits;
    private readonly List<Delta> _targetHistory;

    private FuzzWorld(ProtocolLimits limits, List<Delta> targetHistory, IReadOnlyList<byte[]> corpus)
    {
        _limits = limits;
        _targetHistory = targetHistory;
        Corpus = corpus;
    }

    /// <summary>Valid datagrams, each at most the fuzz datagram size.</summary>
    public IReadOnlyList<byte[]> Corpus { get; }

    /// <summary>A fresh copy of the target's view, identical every time.</summary>
    public ClusterState NewTarget() => NewTarget(_limits, _targetHistory);

    public static FuzzWorld Build(int seed, ProtocolLimits limits, int maxDatagram = 2048)
    {
        var random = new Random(seed);
        var peers = Enumerable.Range(1, 5)
            .Select(i => new ClusterState($"peer-{i}", 1000 + i, $"127.0.0.{i}:{7000 + i}", limits))
            .ToList();
        foreach (var (peer, index) in peers.Select((p, i) => (p, i)))
        {
            for (var k = 0; k < 6 + index; k++)
                peer.Set($"key-{k}", Value(random), 0);
            peer.Set("zone", "eu-west-1 \U0001F30D", 0);
            peer.Delete("key-1", 0);
        }

        Gossip(peers, random, rounds: 40);

        // The target learns the cluster from one delta, then falls behind as the peers write on.
        var history = new List<Delta>();
        history.Add(peers[0].BuildDelta(NewTarget(limits, history).BuildDigest(1400, random), 1400 - WireFormat.HeaderSize, random));
        foreach (var peer in peers)
        {
            peer.Set("key-2", Value(random), 10);
            peer.Set("load", random.NextDouble().ToString("F2", System.Globalization.CultureInfo.InvariantCulture), 10);
            peer.Delete("key-3", 10);
        }

        // Peer 2 collects its tombstones, so anyone who missed them needs a reset.
        peers[1].CollectGarbage(nowMs: 100, tombstoneGraceMs: 0);
        Gossip(peers, random, rounds: 40);

        var target = NewTarget(limits, history);
        var targetDigest = target.BuildDigest(1400, random);
        var messages = new List<GossipMessage>();
        foreach (var peer in peers)
        {
            messages.Add(new DigestRequest(peer.BuildDigest(1400, random)));
            messages.Add(new DigestRequest(peer.BuildDigest(96, random)));
            messages.Add(peer.HandleDigestRequest(targetDigest, 1400, random, new ApplyReport()));
            messages.Add(peer.HandleDigestRequest(targetDigest, 200, random, new ApplyReport()));
            messages.Add(new DeltaMessage(peer.BuildDelta(targetDigest, 1400 - WireFormat.HeaderSize, random)));
            messages.Add(new DeltaMessage(peer.BuildDelta(targetDigest, 160, random)));
            messages.Add(new DeltaMessage(peer.BuildDelta(new Digest([], IsComplete: true), 1400 - WireFormat.HeaderSize, random)));
            messages.Add(new LeaveMessage(peer.SelfId, peer.Self.Generation));
            messages.Add(new LeaveMessage(peer.SelfId, peer.Self.Generation + 1));
        }

        // Someone who holds peer 2 at a version below its watermark gets a reset.
        var behind = new Digest([new DigestEntry(peers[1].SelfId, peers[1].Self.Generation, 0, 1)], IsComplete: false);
        messages.Add(new DeltaMessage(peers[0].BuildDelta(behind, 1400, random)));
        messages.Add(new DeltaMessage(peers[1].BuildDelta(behind, 1400, random)));

        // Peer 3 restarts with a new generation and a different address.
        var restarted = new ClusterState("peer-3", 5000, "127.0.0.3:7103", limits);
        restarted.Set("key-0", "fresh", 0);
        restarted.Set("key-9", "new", 0);
        messages.Add(new DeltaMessage(restarted.BuildDelta(targetDigest, 1400, random)));
        messages.Add(new LeaveMessage(TargetId, TargetGeneration));

        messages.AddRange(MessageGenerators.Samples(MessageGenerators.Message, seed: (ulong)seed, count: 60));
        messages.AddRange(MessageGenerators.Samples(MessageGenerators.NodeDelta, seed: (ulong)seed + 1, count: 80)
            .Select((n, i) => (GossipMessage)new DeltaMessage(new Delta([Aim(n, target, peers[i % peers.Count].SelfId, random)]))));

        var hash = WireFormat.ClusterHash(ClusterName);
        var corpus = messages.Select(m => MessageCodec.Encode(m, hash)).Where(b => b.Length <= maxDatagram).ToList();
        return new FuzzWorld(limits, history, corpus);
    }

    private static ClusterState NewTarget(ProtocolLimits limits, List<Delta> history)
    {
        var target = new ClusterState(TargetId, TargetGeneration, TargetAddress, limits);
        target.Set("own", "mine", 0);
        target.Set("role", "target", 0);
        var report = new ApplyReport();
        foreach (var delta in history)
            target.ApplyDelta(delta, 0, report);
        return target;
    }

    /// <summary>Moves a generated node delta onto a node the target knows, starting at or just below what it holds.</summary>
    private static NodeDelta Aim(NodeDelta generated, ClusterState target, string peerId, Random random)
    {
        if (!target.TryGetNode(peerId, out var known))
            return generated;
        var reset = generated.IsReset;
        var from = reset ? 0 : Math.Max(0, known.MaxVersion - random.Next(3));
        var version = from;
        var pairs = new List<KeyValueUpdate>();
        foreach (var p in generated.Pairs)
        {
            version += random.Next(1, 3);
            pairs.Add(p with { Version = version });
        }

        var last = version + random.Next(3);
        var watermark = reset ? random.NextInt64(last + 1) : 0;
        return generated with
        {
            NodeId = peerId, Generation = known.Generation, FromVersion = from, LastVersion = last,
            GcWatermark = watermark, Pairs = pairs,
        };
    }

    private static void Gossip(List<ClusterState> peers, Random random, int rounds)
    {
        for (var round = 0; round < rounds; round++)
        {
            var i = random.Next(peers.Count);
            var j = (i + 1 + random.Next(peers.Count - 1)) % peers.Count;
            ExchangeHarness.Exchange(peers[i], peers[j], 1400, random);
        }
    }

    private static string Value(Random random) => random.Next(4) switch
    {
        0 => "",
        1 => "значение-" + random.Next(1000),
        2 => new string('x', random.Next(1, 60)),
        _ => "v" + random.Next(100_000),
    };
}
