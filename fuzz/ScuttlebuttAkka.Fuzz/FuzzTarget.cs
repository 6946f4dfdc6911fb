using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Fuzz;

/// <summary>
/// One fuzz input: a datagram, decoded as a node that accepts plaintext and encrypted gossip would decode it, and
/// when it decodes, received by a small view exactly as the runtime does for an unknown sender. Any exception is a
/// finding: the decoder must never throw, the view must not throw on what the decoder accepts, and the reply must
/// respect its budget and decode again.
/// </summary>
internal static class FuzzTarget
{
    public const string ClusterName = "fuzz";
    public const int MaxDatagramBytes = 1400;

    /// <summary>The fixed key of the fuzzed codec, so seeds can hold valid encrypted datagrams.</summary>
    public static readonly byte[] Key = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();

    public static readonly ProtocolLimits Limits = new() { MaxNodes = 32, MaxKeysPerNode = 32 };

    private static readonly DatagramCodec Codec = new(ClusterName, MaxDatagramBytes, Limits, new EncryptionSettings(KeyRing.Create(Key), EncryptionMode.AcceptEncrypted));

    /// <summary>Runs one input; returns a one-line outcome, throws on a finding.</summary>
    public static string Run(byte[] datagram)
    {
        var reason = Codec.TryDecode(datagram, out var message);
        if (reason != DropReason.None)
            return "dropped: " + reason;

        var view = SeedCorpus.NewView();
        var before = view.Nodes.Count;
        var report = new ApplyReport();
        var budget = ClusterState.ReplyBudget(senderKnown: false, datagram.Length, Codec.MessageBudget, Codec.Overhead);
        var reply = view.Receive(message!, budget, Codec.MessageBudget, 0, new Random(1), report);

        Check(view.Nodes.Count <= Limits.MaxNodes, $"the view holds {view.Nodes.Count} nodes, over MaxNodes");
        foreach (var node in view.Nodes.Values)
            Check(node.Count <= Limits.MaxKeysPerNode, $"{node.NodeId} holds {node.Count} keys, over MaxKeysPerNode");
        if (reply is null)
            return $"applied {message!.GetType().Name}: {before} -> {view.Nodes.Count} nodes, {report.Changes.Count} changes";

        var encoded = Codec.Encode(reply);
        Check(encoded.Length <= Math.Max(2 * datagram.Length, WireFormat.MinimumBudget + Codec.Overhead), $"a {datagram.Length}-byte datagram drew a {encoded.Length}-byte reply");
        Check(Codec.TryDecode(encoded, out _) == DropReason.None, "the reply does not decode");
        return $"answered {message!.GetType().Name} with a {encoded.Length}-byte {reply.GetType().Name}";
    }

    private static void Check(bool condition, string finding)
    {
        if (!condition)
            throw new InvalidOperationException("Fuzz finding: " + finding);
    }
}
