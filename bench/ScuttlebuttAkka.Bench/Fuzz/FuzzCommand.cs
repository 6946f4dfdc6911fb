using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Bench.Fuzz;

/// <summary>
/// <c>fuzz</c>: starts a small cluster over UDP on loopback, sends one node a stream of hostile datagrams from a raw
/// socket (random bytes, truncated and header-mutated valid datagrams, trailing garbage, oversized datagrams, valid
/// datagrams of another cluster), then checks that the node counted them as dropped, that its view did not change,
/// and that the cluster still converges on fresh writes. Every datagram sent is invalid by construction, so a
/// single accepted one would be a decoder bug.
/// </summary>
internal static class FuzzCommand
{
    private const string CheckKey = "fuzz.check";

    /// <summary>The kinds of hostile datagram sent, in rotation.</summary>
    private enum HostileKind
    {
        RandomBytes,
        Truncated,
        BadMagic,
        BadVersion,
        UnknownType,
        WrongClusterHash,
        TrailingBytes,
        Oversized,
        OtherCluster,
    }

    /// <summary>Runs the fuzz round; 0 when the node dropped everything, kept its view and the cluster converged.</summary>
    public static async Task<int> RunAsync(int nodes, int datagrams, int seed, string jsonPath, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        var clusterName = "fuzz-" + seed.ToString(CultureInfo.InvariantCulture);
        using var system = ActorSystem.Create("scuttlebutt-fuzz", ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.log-dead-letters = off"));
        var started = new List<ScuttlebuttNode>();
        try
        {
            Console.WriteLine($"fuzz: {nodes} nodes, {datagrams} hostile datagrams, seed {seed}");
            for (var i = 0; i < nodes; i++)
            {
                var settings = ScuttlebuttSettings.Local with
                {
                    NodeId = "fuzz-node-" + i.ToString(CultureInfo.InvariantCulture),
                    ClusterName = clusterName,
                    Bind = "127.0.0.1:0",
                    Seeds = started.Count > 0 ? new[] { started[0].Address } : Array.Empty<string>(),
                    RandomSeed = seed + i,
                };
                started.Add(await ScuttlebuttNode.StartAsync(system, settings, cancellationToken).ConfigureAwait(false));
            }

            if (!await WaitAsync(() => started.All(n => n.View.LivePeers.Count() == nodes - 1), TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false))
            {
                Console.WriteLine("fuzz: the cluster did not form within 30 s");
                return 1;
            }

            var target = started[random.Next(started.Count)];
            var before = Snapshot(target.View);
            var droppedBefore = target.Statistics.DroppedByReason();
            var droppedTotalBefore = target.Statistics.DroppedTotal;
            var codec = new DatagramCodec(clusterName, ScuttlebuttSettings.Local.MaxDatagramBytes);
            var valid = ValidDatagrams(codec, random);
            var otherCluster = ValidDatagrams(new DatagramCodec(clusterName + "-other", codec.MaxDatagramBytes), random);
            var sentByKind = new Dictionary<HostileKind, int>();

            using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
            {
                socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                var kinds = Enum.GetValues<HostileKind>();
                for (var i = 0; i < datagrams; i++)
                {
                    var kind = kinds[i % kinds.Length];
                    var payload = Hostile(kind, valid, otherCluster, codec.MaxDatagramBytes, random);
                    socket.SendTo(payload, target.BoundEndPoint);
                    sentByKind[kind] = sentByKind.GetValueOrDefault(kind) + 1;
                    // Paced so the node's bounded inbound queue, not the decoder, is never what drops them.
                    if (i % 200 == 199)
                        await Task.Delay(10, cancellationToken).ConfigureAwait(false);
                }
            }

            var expected = droppedTotalBefore + datagrams;
            await WaitAsync(() => target.Statistics.DroppedTotal >= expected, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            var dropped = target.Statistics.DroppedTotal - droppedTotalBefore;
            var byReason = target.Statistics.DroppedByReason()
                .ToDictionary(kv => kv.Key.ToString(), kv => kv.Value - droppedBefore.GetValueOrDefault(kv.Key));
            var after = Snapshot(target.View);
            var viewChanged = !before.SequenceEqual(after);

            foreach (var node in started)
                node.UpdateLocal(CheckKey, "after-fuzz-" + seed.ToString(CultureInfo.InvariantCulture));
            var converged = await WaitAsync(
                () => started.All(n => started.All(p => p == n || n.Lookup(p.NodeId, CheckKey) == "after-fuzz-" + seed.ToString(CultureInfo.InvariantCulture))),
                TimeSpan.FromSeconds(30),
                cancellationToken).ConfigureAwait(false);

            Console.WriteLine($"fuzz: target {target.NodeId}; sent {datagrams}: " + string.Join(", ", sentByKind.Select(kv => $"{kv.Key} {kv.Value}")));
            Console.WriteLine($"fuzz: counted as dropped {dropped} of {datagrams}" + (dropped < datagrams ? " (the rest were lost before the decoder: socket or queue)" : ""));
            Console.WriteLine("fuzz: dropped by reason: " + string.Join(", ", byReason.Where(kv => kv.Value > 0).Select(kv => $"{kv.Key} {kv.Value}")));
            Console.WriteLine($"fuzz: view of {target.NodeId} {(viewChanged ? "CHANGED" : "unchanged")}; cluster {(converged ? "converged" : "did NOT converge")} on fresh writes afterwards");
            if (viewChanged)
            {
                foreach (var line in before.Except(after))
                    Console.WriteLine($"  before: {line}");
                foreach (var line in after.Except(before))
                    Console.WriteLine($"  after:  {line}");
            }

            var folder = Path.GetDirectoryName(Path.GetFullPath(jsonPath));
            if (!string.IsNullOrEmpty(folder))
                Directory.CreateDirectory(folder);
            await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(new
            {
                command = "fuzz",
                nodes,
                datagrams,
                seed,
                target = target.NodeId,
                sent = sentByKind.ToDictionary(kv => kv.Key.ToString(), kv => kv.Value),
                dropped,
                droppedByReason = byReason,
                viewChanged,
                converged,
            }, new JsonSerializerOptions { WriteIndented = true }), cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"json: {jsonPath}");
            return !viewChanged && converged && dropped <= datagrams ? 0 : 1;
        }
        finally
        {
            foreach (var node in started)
                await node.StopAsync().ConfigureAwait(false);
            await system.Terminate().ConfigureAwait(false);
        }
    }

    /// <summary>Valid datagrams of every message type from a made-up node, to truncate and mutate.</summary>
    private static byte[][] ValidDatagrams(DatagramCodec codec, Random random)
    {
        var state = new ClusterState("fuzz-source", 1_700_000_000_000, "127.0.0.1:9", codec.Limits);
        for (var k = 0; k < 8; k++)
            state.Set("key-" + k.ToString(CultureInfo.InvariantCulture), new string('v', 1 + random.Next(40)), 0);
        var digest = state.BuildDigest(codec.MessageBudget, random);
        var delta = state.BuildOwnDelta(0, codec.MessageBudget / 2, random);
        return new[]
        {
            codec.Encode(new DigestRequest(digest)),
            codec.Encode(new DigestResponse(delta, digest)),
            codec.Encode(new DeltaMessage(delta)),
            codec.Encode(new LeaveMessage("fuzz-source", 1_700_000_000_000)),
        };
    }

    /// <summary>One datagram of <paramref name="kind"/>; each is invalid whatever the random draws.</summary>
    private static byte[] Hostile(HostileKind kind, byte[][] valid, byte[][] otherCluster, int maxBytes, Random random)
    {
        var source = valid[random.Next(valid.Length)];
        byte[] copy;
        switch (kind)
        {
            case HostileKind.RandomBytes:
                var bytes = new byte[random.Next(maxBytes + 1)];
                random.NextBytes(bytes);
                if (bytes.Length >= 2 && bytes[0] == WireFormat.Magic0 && bytes[1] == WireFormat.Magic1)
                    bytes[0] ^= 0xFF;
                return bytes;
            case HostileKind.Truncated:
                return source[..random.Next(source.Length)];
            case HostileKind.BadMagic:
                copy = (byte[])source.Clone();
                copy[random.Next(2)] ^= (byte)(1 + random.Next(255));
                return copy;
            case HostileKind.BadVersion:
                copy = (byte[])source.Clone();
                copy[2] = (byte)(WireFormat.ProtocolVersion + 1 + random.Next(254));
                return copy;
            case HostileKind.UnknownType:
                copy = (byte[])source.Clone();
                copy[3] = (byte)(5 + random.Next(251));
                return copy;
            case HostileKind.WrongClusterHash:
                copy = (byte[])source.Clone();
                copy[4 + random.Next(4)] ^= (byte)(1 + random.Next(255));
                return copy;
            case HostileKind.TrailingBytes:
                var extra = 1 + random.Next(Math.Min(32, maxBytes - source.Length));
                copy = new byte[source.Length + extra];
                source.CopyTo(copy, 0);
                random.NextBytes(copy.AsSpan(source.Length));
                return copy;
            case HostileKind.Oversized:
                copy = new byte[maxBytes + 1 + random.Next(512)];
                random.NextBytes(copy);
                source.CopyTo(copy, 0);
                return copy;
            case HostileKind.OtherCluster:
                return otherCluster[random.Next(otherCluster.Length)];
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>Everything in a view that hostile input must not change (heartbeats aside), one line per peer.</summary>
    private static string[] Snapshot(ClusterView view) => view.Peers.Values
        .OrderBy(p => p.PeerId, StringComparer.Ordinal)
        .Select(p => $"{p.PeerId} gen={p.Generation} addr={p.Address} status={p.Status} max={p.MaxVersion} " +
                     string.Join(',', p.Values.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value.Value}@{kv.Value.Version}")))
        .ToArray();

    private static async Task<bool> WaitAsync(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > timeout)
                return false;
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }
}
