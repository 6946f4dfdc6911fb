using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Fuzz;

/// <summary>The fuzzed view and the valid datagrams AFL starts from: one of each message type, plaintext and encrypted.</summary>
internal static class SeedCorpus
{
    /// <summary>A small view that knows three peers, built the same way for every input.</summary>
    public static ClusterState NewView()
    {
        var view = new ClusterState("target", 1, "127.0.0.1:7000", FuzzTarget.Limits);
        view.Set("role", "web", 0);
        var asksForEverything = new Digest([], IsComplete: true);
        foreach (var peer in Peers())
            view.ApplyDelta(peer.BuildDelta(asksForEverything, 4096, new Random(2)), 0, new ApplyReport());
        return view;
    }

    /// <summary>Writes the seeds into <paramref name="directory"/>; returns how many.</summary>
    public static int Write(string directory)
    {
        Directory.CreateDirectory(directory);
        var random = new Random(3);
        var view = NewView();
        var peer = Peers()[0];
        peer.Set("zone", "eu-west-1", 0);
        peer.Delete("load", 0);
        var request = new DigestRequest(peer.BuildDigest(1000, random));
        var response = view.HandleDigestRequest(new Digest([], IsComplete: true), 1000, random, new ApplyReport());
        var delta = new DeltaMessage(peer.BuildDelta(view.BuildDigest(1000, random), 1000, random));
        GossipMessage[] messages = [request, response, delta, new LeaveMessage(peer.SelfId, peer.Self.Generation)];

        var plain = new DatagramCodec(FuzzTarget.ClusterName, FuzzTarget.MaxDatagramBytes, FuzzTarget.Limits);
        var encrypted = new DatagramCodec(FuzzTarget.ClusterName, FuzzTarget.MaxDatagramBytes, FuzzTarget.Limits, new EncryptionSettings(KeyRing.Create(FuzzTarget.Key), EncryptionMode.Required));
        var count = 0;
        foreach (var message in messages)
        {
            File.WriteAllBytes(Path.Combine(directory, $"{++count:D2}-{message.GetType().Name}.bin"), plain.Encode(message));
            File.WriteAllBytes(Path.Combine(directory, $"{++count:D2}-{message.GetType().Name}-encrypted.bin"), encrypted.Encode(message));
        }

        return count;
    }

    private static ClusterState[] Peers()
    {
        var peers = new ClusterState[3];
        for (var i = 0; i < peers.Length; i++)
        {
            peers[i] = new ClusterState($"peer-{i}", 10 + i, $"127.0.0.{i + 2}:7000", FuzzTarget.Limits);
            peers[i].Set("role", i == 0 ? "db" : "web", 0);
            peers[i].Set("load", "0.5", 0);
            peers[i].BumpHeartbeat();
        }

        return peers;
    }
}
