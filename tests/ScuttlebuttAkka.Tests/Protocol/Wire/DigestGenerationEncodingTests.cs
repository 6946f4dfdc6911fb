using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Tests.Protocol.Wire;

/// <summary>Digest generations after the first are zigzag differences from the first entry's.</summary>
public sealed class DigestGenerationEncodingTests
{
    private static readonly DatagramCodec Codec = new("gen", 65507);

    [Theory]
    [InlineData(1_700_000_000_000L, 1_700_000_000_450L)]
    [InlineData(1_700_000_000_450L, 1_700_000_000_000L)]
    [InlineData(5L, 0L)]
    [InlineData(0L, long.MaxValue)]
    [InlineData(long.MaxValue, 0L)]
    [InlineData(long.MaxValue, 1L)]
    public void Any_pair_of_generations_round_trips(long first, long second)
    {
        var message = new DigestRequest(new Digest([new DigestEntry("a", first, 1, 1), new DigestEntry("b", second, 2, 2)], false));
        var bytes = Codec.Encode(message);
        Assert.Equal(WireFormat.MessageSize(message), bytes.Length);
        Assert.Equal(DropReason.None, Codec.TryDecode(bytes, out var decoded));
        Assert.Equal(message, decoded);
    }

    [Fact]
    public void Nodes_started_together_cost_far_fewer_bytes_than_whole_generations()
    {
        var entries = Enumerable.Range(0, 64).Select(i => new DigestEntry($"node-{i:D2}", 1_700_000_000_000 + (i * 97), 1000, 3)).ToArray();
        var size = WireFormat.DigestSize(new Digest(entries, true));
        var whole = entries.Sum(e => WireFormat.StringSize(e.NodeId) + WireFormat.VarIntSize(e.Generation) + WireFormat.VarIntSize(e.Heartbeat) + WireFormat.VarIntSize(e.MaxVersion));
        Assert.True(size < whole - (63 * 3), $"{size} bytes with differences against {whole} with whole generations");
    }

    [Fact]
    public void A_difference_that_leaves_the_generation_range_is_rejected()
    {
        // First generation 1, then zigzag 3 = difference -2: generation -1, which no node can have.
        var bytes = Codec.Encode(new DigestRequest(new Digest([new DigestEntry("a", 1, 1, 1), new DigestEntry("b", 0, 0, 0)], false)));
        var at = Array.LastIndexOf(bytes, (byte)'b') + 1; // the second entry's generation follows its id
        Assert.Equal(0x01, bytes[at]); // zigzag(-1)
        bytes[at] = 0x03;
        Assert.Equal(DropReason.InvalidField, Codec.TryDecode(bytes, out var message));
        Assert.Null(message);
    }
}
