using BenchmarkDotNet.Attributes;
using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Bench.Micro;

/// <summary>
/// The protocol core on a 1,000-node view with 20 keys per node and 1,400-byte datagrams: building a digest, building the
/// delta for a receiver that is behind on 600 of the nodes (by 10 pairs each), answering a digest (step 2), and encoding,
/// decoding and applying that delta.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[InvocationCount(Receivers)]
public class CoreBenchmarks
{
    private const int NodeCount = 1000;
    private const int KeysPerNode = 20;
    private const int Budget = 1400;

    // Applying changes the receiver, so each invocation gets its own; this many are made before each iteration.
    private const int Receivers = 2048;

    private static readonly uint ClusterHash = WireFormat.ClusterHash("bench");

    private readonly Random _random = new(42);
    private ClusterState _sender = null!;
    private Digest _receiverDigest = null!;
    private Digest _partialReceiverDigest = null!;
    private DeltaMessage _message = null!;
    private byte[] _encoded = null!;
    private Delta _receiverStart = null!;
    private ClusterState[] _receivers = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _sender = new ClusterState("sender", 1, "10.0.0.1:7946");
        var receiver = new ClusterState("receiver", 1, "10.0.0.2:7946");
        var everything = new Digest([], IsComplete: true);
        for (var i = 0; i < NodeCount; i++)
        {
            var owner = new ClusterState($"node-{i:D4}", 1_700_000_000_000 + i, $"10.1.{i / 250}.{i % 250}:7946");
            for (var k = 0; k < KeysPerNode; k++)
            {
                // The receiver last heard from three nodes in five when they had written half their keys.
                if (k == KeysPerNode / 2 && i % 5 < 3)
                    receiver.ApplyDelta(owner.BuildDelta(everything, WireFormat.MaximumBudget, _random), 0, new ApplyReport());
                owner.Set($"key-{k:D2}", $"value-{i}-{k}", 0);
            }

            for (var h = 0; h < 50; h++)
                owner.BumpHeartbeat();
            var full = owner.BuildDelta(everything, WireFormat.MaximumBudget, _random);
            _sender.ApplyDelta(full, 0, new ApplyReport());
            if (i % 5 >= 3)
                receiver.ApplyDelta(full, 0, new ApplyReport());
        }

        _receiverDigest = receiver.BuildDigest(WireFormat.MaximumBudget, _random);
        _partialReceiverDigest = receiver.BuildDigest(Budget, _random);
        var delta = _sender.BuildDelta(_receiverDigest, Budget - WireFormat.HeaderSize, _random);
        _message = new DeltaMessage(delta);
        _encoded = MessageCodec.Encode(_message, ClusterHash);
        if (delta.IsEmpty || _encoded.Length > Budget)
            throw new InvalidOperationException($"Bad setup: a delta of {delta.Nodes.Count} nodes in {_encoded.Length} bytes.");

        // A receiver's starting point: the nodes the delta is about, as the lagging receiver holds them.
        _receiverStart = new Delta(delta.Nodes.Select(d => receiver.Nodes[d.NodeId]).Select(n => new NodeDelta(
            n.NodeId, n.Generation, n.Address, n.Heartbeat, 0, n.MaxVersion, false, 0, n.PairsNewerThan(0).ToArray())).ToArray());
        FreshReceivers();
        var check = (ApplyReport)ApplyDelta();
        if (check.Changes.Count == 0 || check.AnyRejected)
            throw new InvalidOperationException("Bad setup: applying the delta changed nothing.");
    }

    [IterationSetup(Target = nameof(ApplyDelta))]
    public void FreshReceivers()
    {
        _receivers ??= new ClusterState[Receivers];
        for (var i = 0; i < Receivers; i++)
        {
            _receivers[i] = new ClusterState("receiver", 1, "10.0.0.2:7946");
            _receivers[i].ApplyDelta(_receiverStart, 0, new ApplyReport());
        }

        _next = 0;
    }

    /// <summary>A 1,400-byte digest of the 1,000-node view: a random subset, since all of it does not fit.</summary>
    [Benchmark]
    public object BuildDigest() => _sender.BuildDigest(Budget, _random);

    /// <summary>The 1,400-byte delta for a receiver whose complete digest shows it behind on 600 nodes.</summary>
    [Benchmark]
    public object BuildDelta() => _sender.BuildDelta(_receiverDigest, Budget - WireFormat.HeaderSize, _random);

    /// <summary>Step 2: answering that receiver's 1,400-byte (partial) digest with a delta and a reply digest.</summary>
    [Benchmark]
    public object HandleDigestRequest() => _sender.HandleDigestRequest(_partialReceiverDigest, Budget, _random, new ApplyReport());

    /// <summary>Encoding the delta into its datagram.</summary>
    [Benchmark]
    public byte[] EncodeDelta() => MessageCodec.Encode(_message, ClusterHash);

    /// <summary>Decoding that datagram, every length and field checked.</summary>
    [Benchmark]
    public object? DecodeDelta()
    {
        MessageCodec.TryDecode(_encoded, ClusterHash, ProtocolLimits.Default, out var message);
        return message;
    }

    /// <summary>Applying the delta to the lagging receiver, changes reported.</summary>
    [Benchmark]
    public object ApplyDelta()
    {
        var report = new ApplyReport();
        _receivers[_next++].ApplyDelta(_message.Delta, 0, report);
        return report;
    }
}
