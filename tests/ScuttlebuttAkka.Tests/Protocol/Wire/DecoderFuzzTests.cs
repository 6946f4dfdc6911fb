using System.Diagnostics;
using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;
using ScuttlebuttAkka.Tests.Protocol.Reconciliation;
using Xunit.Abstractions;

namespace ScuttlebuttAkka.Tests.Protocol.Wire;

/// <summary>
/// Feeds the decoder a quarter of a million generated and mutated datagrams, and a live view everything that decodes.
/// The contract under test: nothing throws, rejected input changes nothing, accepted input never moves the view
/// backwards or breaks its invariants, and the view's replies to junk are still valid datagrams within budget.
/// </summary>
public sealed class DecoderFuzzTests
{
    private const int Inputs = 240_000;
    private const int Budget = 1400;
    private const int MaxDatagram = 2048;

    // Rebuilding the view now and then keeps it close to the corpus, so mutated deltas keep landing on known nodes.
    private const int RebuildEvery = 64;

    private static readonly ProtocolLimits Limits = new() { MaxNodes = 40, MaxKeysPerNode = 40 };

    private static readonly DropReason[] PlaintextReasons =
    [
        DropReason.None, DropReason.TooShort, DropReason.TooLarge, DropReason.BadMagic, DropReason.UnsupportedVersion,
        DropReason.UnknownMessageType, DropReason.WrongCluster, DropReason.LengthOutOfRange, DropReason.BadVarInt,
        DropReason.BadUtf8, DropReason.InvalidField, DropReason.TrailingBytes,
    ];

    private readonly ITestOutputHelper _output;

    public DecoderFuzzTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void No_input_escapes_as_an_exception_and_no_input_moves_a_view_backwards()
    {
        var watch = Stopwatch.StartNew();
        // Two shards, one per core, each with its own world, view and seeds: parallel, yet every run is the same.
        var shards = new FuzzOutcome[2];
        Parallel.For(0, shards.Length, new ParallelOptions { MaxDegreeOfParallelism = shards.Length },
            shard => shards[shard] = RunShard(worldSeed: 2024 + shard, inputSeed: 31337 + shard, Inputs / shards.Length));
        watch.Stop();
        var outcome = shards.Aggregate(FuzzOutcome.Combine);

        _output.WriteLine($"{Inputs} inputs in {watch.Elapsed.TotalSeconds:F1} s ({Inputs / watch.Elapsed.TotalSeconds:F0}/s) on {shards.Length} shards");
        foreach (var (r, n) in outcome.Reasons.OrderByDescending(p => p.Value))
            _output.WriteLine($"  {r,-24} {n,7}");
        foreach (var (s, (t, a)) in outcome.ByStrategy.OrderBy(p => p.Key))
            _output.WriteLine($"  {s,-24} {t,7} inputs, {a,6} accepted");
        foreach (var (t, n) in outcome.Applied)
            _output.WriteLine($"  applied {t,-16} {n,6}");
        _output.WriteLine($"  accepted but partly refused by the view: {outcome.RefusedByView}");

        Assert.Equal(Inputs, outcome.Reasons.Values.Sum());
        // Every reason the plaintext decoder has was reached, so the fuzzer gets past every check, not just the header.
        Assert.All(PlaintextReasons, r => Assert.True(outcome.Reasons.GetValueOrDefault(r) > 0, $"no input was dropped as {r}"));
        Assert.All(new[] { nameof(DigestRequest), nameof(DigestResponse), nameof(DeltaMessage), nameof(LeaveMessage) },
            t => Assert.True(outcome.Applied.GetValueOrDefault(t) > 100, $"only {outcome.Applied.GetValueOrDefault(t)} {t} were applied"));
        // Mutants, not just the untouched corpus, got through the decoder and into the view.
        Assert.True(outcome.ByStrategy[FuzzStrategy.BitFlip].Accepted > 1000, "too few bit-flipped datagrams were accepted to test the view");
        Assert.True(outcome.ByStrategy[FuzzStrategy.VarIntRewrite].Accepted > 1000, "too few rewritten varints were accepted to test the view");
        Assert.True(outcome.RefusedByView > 1000, "too few accepted datagrams exercised the view's own refusals");
    }

    [Fact]
    public void The_corpus_is_valid_and_covers_every_message_kind_and_node_delta_shape()
    {
        var world = FuzzWorld.Build(seed: 2024, Limits);
        var codec = new DatagramCodec(FuzzWorld.ClusterName, MaxDatagram);
        var decoded = world.Corpus.Select(bytes =>
        {
            Assert.Equal(DropReason.None, codec.TryDecode(bytes, out var m));
            return m!;
        }).ToList();
        var nodes = decoded.SelectMany(m => m switch
        {
            DeltaMessage d => d.Delta.Nodes,
            DigestResponse r => r.Delta.Nodes,
            _ => [],
        }).ToList();

        Assert.Contains(decoded, m => m is DigestRequest { Digest.IsComplete: true });
        Assert.Contains(decoded, m => m is DigestRequest { Digest.IsComplete: false });
        Assert.Contains(decoded, m => m is DigestResponse { Delta.IsEmpty: false });
        Assert.Contains(decoded, m => m is LeaveMessage);
        Assert.Contains(nodes, n => n.IsReset && n.GcWatermark > 0);
        Assert.Contains(nodes, n => n.FromVersion > 0 && n.Pairs.Count > 0);
        Assert.Contains(nodes, n => n.Address is not null);
        Assert.Contains(nodes, n => n.Pairs.Any(p => p.IsDeleted));
        // Deltas aimed at the view's own peers, so mutants of them reach the deep paths of ApplyDelta.
        var target = world.NewTarget();
        Assert.Contains(nodes, n => target.TryGetNode(n.NodeId, out var known) && known.Generation == n.Generation && n.FromVersion <= known.MaxVersion && n.LastVersion > known.MaxVersion);
        Assert.Contains(nodes, n => target.TryGetNode(n.NodeId, out var known) && known.Generation < n.Generation);
    }

    private static FuzzOutcome RunShard(int worldSeed, int inputSeed, int inputs)
    {
        var world = FuzzWorld.Build(worldSeed, Limits);
        var codec = new DatagramCodec(FuzzWorld.ClusterName, MaxDatagram);
        var hash = WireFormat.ClusterHash(FuzzWorld.ClusterName);
        var mutator = new DatagramMutator(new Random(inputSeed), world.Corpus, hash, MaxDatagram);
        var viewRandom = new Random(inputSeed + 1);
        var outcome = new FuzzOutcome();
        var report = new ApplyReport();

        var view = world.NewTarget();
        var fingerprint = ViewSnapshot.Fingerprint(view);
        for (var i = 0; i < inputs; i++)
        {
            if (i % RebuildEvery == 0)
            {
                view = world.NewTarget();
                fingerprint = ViewSnapshot.Fingerprint(view);
            }

            var (strategy, bytes) = mutator.Next();
            DropReason reason;
            GossipMessage? message;
            try
            {
                reason = codec.TryDecode(bytes, out message);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"Input {i} of seed {inputSeed} ({strategy}) threw from the decoder: {Convert.ToHexString(bytes)}", e);
            }

            outcome.Count(strategy, reason);
            if (reason != DropReason.None)
            {
                Assert.Null(message);
                // The runtime applies nothing it could not decode; the view must read exactly as before.
                Assert.Equal(fingerprint, ViewSnapshot.Fingerprint(view));
                continue;
            }

            try
            {
                // One byte form per message: what was accepted re-encodes to exactly the input.
                Assert.Equal(bytes, MessageCodec.Encode(message!, hash));
                report.Clear();
                Apply(view, message!, codec, viewRandom, nowMs: i, report);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"Input {i} of seed {inputSeed} ({strategy}) decoded as {message!.GetType().Name} and failed: {Convert.ToHexString(bytes)}", e);
            }

            outcome.Applied[message!.GetType().Name] = outcome.Applied.GetValueOrDefault(message.GetType().Name) + 1;
            outcome.RefusedByView += report.AnyRejected ? 1 : 0;
            fingerprint = ViewSnapshot.Fingerprint(view);
        }

        return outcome;
    }

    /// <summary>Hands a decoded message to the view the way the runtime does, and checks what the view did and answered.</summary>
    private static void Apply(ClusterState view, GossipMessage message, DatagramCodec codec, Random random, long nowMs, ApplyReport report)
    {
        var before = ViewSnapshot.Of(view);
        var resets = new HashSet<string>(StringComparer.Ordinal);
        switch (message)
        {
            case DigestRequest m:
                var response = view.HandleDigestRequest(m.Digest, Budget, random, report);
                AssertValidReply(response, codec);
                ViewSnapshot.AssertOnlyHeartbeatsAdvanced(before, ViewSnapshot.Of(view));
                return;
            case DigestResponse m:
                resets.UnionWith(m.Delta.Nodes.Where(n => n.IsReset).Select(n => n.NodeId));
                if (view.HandleDigestResponse(m, Budget, nowMs, random, report) is { } ack)
                    AssertValidReply(ack, codec);
                break;
            case DeltaMessage m:
                resets.UnionWith(m.Delta.Nodes.Where(n => n.IsReset).Select(n => n.NodeId));
                view.ApplyDelta(m.Delta, nowMs, report);
                break;
            case LeaveMessage m:
                view.ApplyLeave(m, report);
                ViewSnapshot.AssertOnlyLeavesAnnounced(before, ViewSnapshot.Of(view));
                return;
        }

        var after = ViewSnapshot.Of(view);
        after.AssertWellFormed(view.Limits);
        ViewSnapshot.AssertSuccessor(before, after, resets);
    }

    private static void AssertValidReply(GossipMessage reply, DatagramCodec codec)
    {
        var bytes = codec.Encode(reply);
        Assert.True(bytes.Length <= Budget, $"a {reply.GetType().Name} of {bytes.Length} bytes broke the {Budget}-byte budget");
        Assert.Equal(DropReason.None, codec.TryDecode(bytes, out var echoed));
        Assert.Equal(reply, echoed);
    }
}
