using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace ScuttlebuttAkka.Tests.EndToEnd;

/// <summary>
/// Two nodes over real UDP between two network namespaces joined by a veth pair, with nftables dropping a quarter of
/// the packets arriving at the second node. Needs root, ip and nft; skipped otherwise.
/// </summary>
public sealed partial class NetnsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(60);

    [NetnsFact]
    public void Two_nodes_in_namespaces_converge_through_a_link_that_drops_a_quarter_of_the_packets()
    {
        // Short unique names: interface names are limited to 15 characters.
        var tag = (Environment.ProcessId % 100_000).ToString(CultureInfo.InvariantCulture);
        var nsA = "sbsim-a-" + tag;
        var nsB = "sbsim-b-" + tag;
        var vethA = "sbva" + tag;
        var vethB = "sbvb" + tag;
        NetnsNodeProcess? a = null;
        NetnsNodeProcess? b = null;
        try
        {
            // The namespaces are the test's own, so 10.x addresses inside them touch no real network.
            var setup = new[]
            {
                new[] { "netns", "add", nsA },
                ["netns", "add", nsB],
                ["link", "add", vethA, "type", "veth", "peer", "name", vethB],
                ["link", "set", vethA, "netns", nsA],
                ["link", "set", vethB, "netns", nsB],
                ["-n", nsA, "addr", "add", "10.231.0.1/24", "dev", vethA],
                ["-n", nsB, "addr", "add", "10.231.0.2/24", "dev", vethB],
                ["-n", nsA, "link", "set", vethA, "up"],
                ["-n", nsB, "link", "set", vethB, "up"],
                ["-n", nsA, "link", "set", "lo", "up"],
                ["-n", nsB, "link", "set", "lo", "up"],
            };
            foreach (var step in setup)
            {
                var (code, text) = NetnsEnvironment.Run("ip", step);
                if (code != 0)
                {
                    output.WriteLine($"Not run: 'ip {string.Join(' ', step)}' failed ({code}): {text}. This environment cannot create network namespaces.");
                    return;
                }
            }

            const string Drop = """
                table inet sbsim {
                    chain input {
                        type filter hook input priority 0; policy accept;
                        numgen random mod 100 < 25 counter drop
                    }
                }
                """;
            var (nftCode, nftText) = NetnsEnvironment.Run("ip", ["netns", "exec", nsB, "nft", "-f", "-"], stdin: Drop);
            if (nftCode != 0)
            {
                output.WriteLine($"Not run: nft could not install the drop rule ({nftCode}): {nftText}. The kernel may lack nftables.");
                return;
            }

            a = NetnsNodeProcess.Start(nsA, ["--id", "alpha", "--bind", "10.231.0.1:7946", "--seeds", "10.231.0.2:7946", "--set", "role=web", "--write", "zone=a"]);
            b = NetnsNodeProcess.Start(nsB, ["--id", "beta", "--bind", "10.231.0.2:7946", "--seeds", "10.231.0.1:7946", "--set", "role=db", "--write", "zone=b"]);

            var deadline = DateTime.UtcNow + Converge;
            bool Converged() =>
                a.Lookup("beta", "role") == "db" && a.Lookup("beta", "zone") == "b"
                && b.Lookup("alpha", "role") == "web" && b.Lookup("alpha", "zone") == "a";
            // Two nodes can converge in a handful of datagrams, before the rule has dropped any; wait until it has, so
            // the run shows convergence over a link that does lose packets (the nodes keep gossiping meanwhile).
            long Dropped() => DroppedPackets().Match(NetnsEnvironment.Run("ip", ["netns", "exec", nsB, "nft", "list", "table", "inet", "sbsim"]).Output) is { Success: true } m
                ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
                : 0;
            while (!(Converged() && Dropped() > 0) && DateTime.UtcNow < deadline)
                Thread.Sleep(100); // polling child processes' printed views: there is no event to wait on

            if (!Converged())
            {
                Assert.Fail($"No convergence within {Converge.TotalSeconds} s.\nalpha: {a.LastView}\nbeta: {b.LastView}\n"
                            + string.Join("\n", a.OtherOutput.Concat(b.OtherOutput).Take(40)));
            }

            var dropped = Dropped();
            output.WriteLine($"Converged; nftables dropped {dropped} packets arriving at beta. alpha: {a.LastView}; beta: {b.LastView}");
            Assert.True(dropped > 0, "the drop rule must have dropped packets within the deadline");
            Assert.True(Converged(), "the views must still agree once packets were dropped");
        }
        finally
        {
            a?.Dispose();
            b?.Dispose();
            // Deleting a namespace deletes its end of the veth pair, and with it the other end.
            NetnsEnvironment.Run("ip", ["netns", "del", nsA]);
            NetnsEnvironment.Run("ip", ["netns", "del", nsB]);
            NetnsEnvironment.Run("ip", ["link", "del", vethA]);
        }
    }

    [GeneratedRegex(@"counter packets (\d+)")]
    private static partial Regex DroppedPackets();
}
