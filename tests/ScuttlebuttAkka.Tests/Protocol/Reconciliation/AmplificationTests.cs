using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;
using ScuttlebuttAkka.Tests.Protocol.Wire;
using Xunit.Abstractions;

namespace ScuttlebuttAkka.Tests.Protocol.Reconciliation;

/// <summary>
/// No amplification, at the core level: whatever an unknown sender sends a view of 1,000 nodes, the reply datagram the
/// runtime would send back (budgeted with <see cref="ClusterState.ReplyBudget"/>, as <c>GossiperActor</c> does) is at
/// most max(2 x request, 64 bytes + the reply's envelope). Encoded and decoded through the real codec, so the figures
/// are the bytes on the wire.
/// </summary>
public sealed class AmplificationTests
{
    private const string Cluster = "amplification";
    private const int Nodes = 1_000;

    private readonly ITestOutputHelper _output;

    public AmplificationTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<int, EncryptionMode, EncryptionMode> Setups => new()
    {
        // max datagram, the target's mode, the sender's mode (a sender in Required holds the key: a replay, or a member not yet known)
        { 1400, EncryptionMode.Off, EncryptionMode.Off },
        { 65507, EncryptionMode.Off, EncryptionMode.Off },
        { 1400, EncryptionMode.Required, EncryptionMode.Required },
        { 8192, EncryptionMode.SendEncrypted, EncryptionMode.Off },
    };

    [Theory]
    [MemberData(nameof(Setups))]
    public void Every_message_an_unknown_sender_can_send_gets_at_most_twice_its_size_back(int maxDatagram, EncryptionMode targetMode, EncryptionMode senderMode)
    {
        var target = HostileMessages.ViewOf(Nodes);
        var codec = Codec(maxDatagram, targetMode);
        var sender = Codec(maxDatagram, senderMode);
        var random = new Random(5);
        var worst = 0.0;

        _output.WriteLine($"max datagram {maxDatagram}, target {targetMode}, sender {senderMode}: request -> reply bytes (ratio)");
        foreach (var (name, message) in HostileMessages.Against(target))
        {
            var (request, reply) = Exchange(target, codec, sender.Encode(message), senderKnown: false, random);
            _output.WriteLine($"  {name,-42} {request,5} -> {reply,5} ({(double)reply / request:F2})");
            Assert.True(reply <= Bound(request, codec), $"{name}: {request} bytes drew {reply} bytes back, over the bound {Bound(request, codec)}");
            worst = Math.Max(worst, (double)reply / request);
        }

        _output.WriteLine($"  worst ratio {worst:F2}");
    }

    [Theory]
    [InlineData(1400)]
    [InlineData(65507)]
    public void Three_thousand_random_hostile_messages_never_break_the_bound(int maxDatagram)
    {
        var target = HostileMessages.ViewOf(Nodes);
        var codec = Codec(maxDatagram, EncryptionMode.Off);
        var random = new Random(17);
        var (worstRatio, replied, largest) = (0.0, 0, 0);
        for (var i = 0; i < 3_000; i++)
        {
            var datagram = codec.Encode(HostileMessages.Random(target, random));
            var (request, reply) = Exchange(target, codec, datagram, senderKnown: false, random);
            Assert.True(reply <= Bound(request, codec), $"message {i}: {request} bytes drew {reply} bytes back");
            worstRatio = Math.Max(worstRatio, (double)reply / request);
            largest = Math.Max(largest, reply);
            replied += reply > 0 ? 1 : 0;
        }

        _output.WriteLine($"max datagram {maxDatagram}: {replied} of 3000 replied, worst ratio {worstRatio:F2}, largest reply {largest} bytes");
        // The messages did provoke replies, some as large as the bound allows, so the test exercised the budget.
        Assert.True(replied > 1_000, $"only {replied} messages drew a reply");
        Assert.True(worstRatio > 1.5, $"the worst ratio {worstRatio:F2} is suspiciously low: the replies were not pushed against the budget");
    }

    [Fact]
    public void A_known_peer_still_gets_full_size_replies_to_the_same_messages()
    {
        // The control: the shrunk budget is what keeps the replies above small, not a lack of anything to send.
        var target = HostileMessages.ViewOf(Nodes);
        var codec = Codec(1400, EncryptionMode.Off);
        var random = new Random(5);
        foreach (var name in new[] { "request: complete, 0 entries", "request: complete, 1 entry", "response: complete, 0 entries" })
        {
            var message = HostileMessages.Against(target).Single(m => m.Name == name).Message;
            var (request, reply) = Exchange(target, codec, codec.Encode(message), senderKnown: true, random);
            _output.WriteLine($"known sender, {name}: {request} -> {reply} bytes");
            Assert.True(reply > 1_000, $"{name}: a known peer got only {reply} bytes");
            Assert.True(reply > Bound(request, codec));
        }
    }

    [Fact]
    public void A_response_from_an_unknown_sender_no_longer_draws_a_full_delta()
    {
        // The path that broke the bound: a 10-byte response claiming a complete, empty digest asks for the whole view,
        // and the delta answering it used to get the full budget whoever sent it.
        var target = HostileMessages.ViewOf(Nodes);
        var codec = Codec(65507, EncryptionMode.Off);
        var datagram = codec.Encode(new DigestResponse(Delta.Empty, new Digest([], IsComplete: true)));
        var random = new Random(3);

        var (request, reply) = Exchange(target, codec, datagram, senderKnown: false, random);
        var unbounded = codec.Encode(target.HandleDigestResponse((DigestResponse)Decode(codec, datagram), codec.MessageBudget, 0, random, new ApplyReport())!).Length;

        _output.WriteLine($"{request}-byte response: {reply} bytes back with the sender's budget, {unbounded} with the full budget");
        Assert.True(reply <= WireFormat.MinimumBudget);
        Assert.True(unbounded > 60_000, $"the full-budget delta was only {unbounded} bytes");
    }

    [Theory]
    [InlineData(EncryptionMode.Off)]
    [InlineData(EncryptionMode.Required)]
    public void In_Required_mode_a_sender_without_the_key_gets_nothing_back(EncryptionMode senderMode)
    {
        var target = HostileMessages.ViewOf(Nodes);
        var codec = Codec(1400, EncryptionMode.Required);
        // The sender either speaks plaintext or encrypts with a key of its own.
        var sender = senderMode == EncryptionMode.Off
            ? Codec(1400, EncryptionMode.Off)
            : new DatagramCodec(Cluster, 1400, null, new EncryptionSettings(KeyRing.Create(Key(99)), EncryptionMode.Required));
        var random = new Random(5);
        var messages = HostileMessages.Against(target).ToList();
        foreach (var (name, message) in messages)
        {
            var reason = codec.TryDecode(sender.Encode(message), out var decoded);
            Assert.True(reason is DropReason.NotEncrypted or DropReason.UnknownKey, $"{name}: {reason}");
            Assert.Null(decoded);
        }

        // And through the same path as the other tests, for the record: nothing decodes, so nothing is answered.
        Assert.All(messages, m => Assert.Equal(0, Exchange(target, codec, sender.Encode(m.Message), false, random).Reply));
    }

    [Theory]
    [InlineData(10, 0, 1400, 64)]
    [InlineData(32, 0, 1400, 64)]
    [InlineData(33, 0, 1400, 66)]
    [InlineData(700, 0, 1400, 1400)]
    [InlineData(5000, 0, 1400, 1400)]
    [InlineData(46, 36, 1364, 64)]
    [InlineData(60, 36, 1364, 84)]
    [InlineData(700, 36, 1364, 1364)]
    public void ReplyBudget_for_an_unknown_sender_is_twice_the_request_less_the_envelope(int request, int envelope, int full, int expected)
    {
        Assert.Equal(expected, ClusterState.ReplyBudget(false, request, full, envelope));
        Assert.Equal(full, ClusterState.ReplyBudget(true, request, full, envelope));
    }

    private static int Bound(int requestBytes, DatagramCodec codec) => Math.Max(2 * requestBytes, WireFormat.MinimumBudget + codec.Overhead);

    /// <summary>What the runtime does with one datagram: decode, budget by sender, receive, encode the reply.</summary>
    private static (int Request, int Reply) Exchange(ClusterState target, DatagramCodec codec, byte[] datagram, bool senderKnown, Random random)
    {
        if (codec.TryDecode(datagram, out var message) != DropReason.None)
            return (datagram.Length, 0);
        var budget = ClusterState.ReplyBudget(senderKnown, datagram.Length, codec.MessageBudget, codec.Overhead);
        var reply = target.Receive(message!, budget, codec.MessageBudget, 0, random, new ApplyReport());
        return (datagram.Length, reply is null ? 0 : codec.Encode(reply).Length);
    }

    private static GossipMessage Decode(DatagramCodec codec, byte[] datagram)
    {
        Assert.Equal(DropReason.None, codec.TryDecode(datagram, out var message));
        return message!;
    }

    private static byte[] Key(int seed)
    {
        var key = new byte[32];
        new Random(seed).NextBytes(key);
        return key;
    }

    private static DatagramCodec Codec(int maxDatagram, EncryptionMode mode) =>
        new(Cluster, maxDatagram, null, mode == EncryptionMode.Off ? null : new EncryptionSettings(KeyRing.Create(Key(1)), mode));
}
