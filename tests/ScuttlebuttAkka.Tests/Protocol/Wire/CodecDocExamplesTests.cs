using System.Text.RegularExpressions;
using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Tests.Protocol.Wire;

/// <summary>
/// The example datagrams of docs/codec.md, encoded by the real codec. The expected hex is written here and in the doc;
/// the tests fail when either the codec or the doc drifts from the other.
/// </summary>
public sealed class CodecDocExamplesTests
{
    private const string ClusterName = "demo";
    private const long StartedAtMs = 1_700_000_000_000;

    /// <summary>Each example: its name in the doc, the message, and the bytes the doc shows for it.</summary>
    private static readonly Dictionary<string, (GossipMessage Message, string Hex)> Examples = new()
    {
        ["DigestRequest"] = (
            new DigestRequest(new Digest(
            [
                new DigestEntry("node-a", StartedAtMs, 300, 5),
                new DigestEntry("node-b", StartedAtMs + 450, 17, 3),
            ], IsComplete: true)),
            "534201013635FDAE0102066E6F64652D6180D095FFBC31AC0205066E6F64652D6284071103"),
        ["DigestResponse"] = (
            new DigestResponse(
                new Delta(
                [
                    new NodeDelta("node-c", 3, "10.0.0.7:7946", 12, 0, 2, false, 0,
                        [new KeyValueUpdate("role", "db", 1, false), new KeyValueUpdate("zone", "eu", 2, false)]),
                ]),
                new Digest([new DigestEntry("node-b", 2, 17, 1), new DigestEntry("node-d", 0, 0, 0)], IsComplete: false)),
            "534201023635FDAE01066E6F64652D6303010D31302E302E302E373A373934360C00020204726F6C6502026462047A6F6E65020265750002066E6F64652D62021101066E6F64652D64030000"),
        ["DeltaMessage"] = (
            new DeltaMessage(new Delta(
            [
                new NodeDelta("node-b", 2, null, 18, 1, 3, false, 0,
                    [new KeyValueUpdate("load", "0.7", 2, false), new KeyValueUpdate("tmp", "", 3, true)]),
                new NodeDelta("node-e", 4, null, 40, 0, 9, IsReset: true, GcWatermark: 6,
                    [new KeyValueUpdate("role", "web", 7, false), new KeyValueUpdate("gone", "", 9, true)]),
            ])),
            "534201033635FDAE02066E6F64652D62020012010202046C6F61640203302E3703746D7003066E6F64652D650402280009060204726F6C650E0377656204676F6E6505"),
        ["LeaveMessage"] = (new LeaveMessage("node-a", StartedAtMs), "534201043635FDAE066E6F64652D6180D095FFBC31"),
        ["PushMessage"] = (
            new PushMessage(8, new Delta([new NodeDelta("node-a", 2, null, 30, 4, 5, false, 0, [new KeyValueUpdate("load", "0.9", 5, false)])])),
            "534201053635FDAE0801066E6F64652D6102001E040101046C6F61640203302E39"),
    };

    public static TheoryData<string> ExampleNames => new(Examples.Keys);

    [Theory]
    [MemberData(nameof(ExampleNames))]
    public void The_codec_encodes_each_example_as_the_doc_shows(string name)
    {
        var (message, hex) = Examples[name];
        var codec = new DatagramCodec(ClusterName, 1400);
        var bytes = codec.Encode(message);
        Assert.Equal(hex, Convert.ToHexString(bytes));
        Assert.Equal(DropReason.None, codec.TryDecode(bytes, out var decoded));
        Assert.Equal(message, decoded);
    }

    [Theory]
    [MemberData(nameof(ExampleNames))]
    public void The_doc_shows_each_example_whole_and_annotated_byte_by_byte(string name)
    {
        var hex = Examples[name].Hex;
        var doc = File.ReadAllText(DocPath());
        Assert.Contains($"`{hex}`", doc, StringComparison.Ordinal);

        // The annotated dump follows the example's marker: each line is hex bytes, two spaces, then the explanation.
        var marker = $"<!-- example: {name} -->";
        var at = doc.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at >= 0, $"docs/codec.md has no '{marker}'");
        var fenceStart = doc.IndexOf("```", at, StringComparison.Ordinal);
        var bodyStart = doc.IndexOf('\n', fenceStart) + 1;
        var fenceEnd = doc.IndexOf("```", bodyStart, StringComparison.Ordinal);
        var annotated = new System.Text.StringBuilder();
        foreach (var line in doc[bodyStart..fenceEnd].Split('\n'))
        {
            var bytes = line.Split("  ", 2)[0].Trim();
            if (bytes.Length == 0)
                continue;
            Assert.Matches(HexBytes(), bytes);
            annotated.Append(bytes.Replace(" ", "", StringComparison.Ordinal));
        }

        Assert.Equal(hex, annotated.ToString());
    }

    /// <summary>The suspicion-key test vectors of docs/codec.md, "Writing another implementation".</summary>
    public static TheoryData<string, string> SuspicionKeys => new()
    {
        { "node-a", "e6971cc22078cb53" },
        { "web-1", "666fc22e095c221f" },
        { "n\u0153ud-\u00e9", "b3d3bf4c6a703045" },
        { "\U0001F600", "e5e45a0a241b88d8" },
    };

    [Theory]
    [MemberData(nameof(SuspicionKeys))]
    public void The_doc_suspicion_key_vectors_are_what_the_protocol_writes(string peerId, string hex)
    {
        Assert.Equal("\0s:" + hex, ReservedKeys.Suspicion(peerId));
        Assert.Contains($"| `{peerId}` | `\\0s:{hex}` |", File.ReadAllText(DocPath()), StringComparison.Ordinal);
    }

    private static string DocPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ScuttlebuttAkka.sln")))
                return Path.Combine(dir.FullName, "docs", "codec.md");
        }

        throw new FileNotFoundException("No ScuttlebuttAkka.sln above the test binaries, so docs/codec.md cannot be found.");
    }

    private static Regex HexBytes() => new("^[0-9A-F]{2}( [0-9A-F]{2})*$");
}
