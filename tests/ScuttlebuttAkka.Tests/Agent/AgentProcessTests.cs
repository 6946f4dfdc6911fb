using System.Text.Json;
using System.Text.RegularExpressions;

namespace ScuttlebuttAkka.Tests.Agent;

/// <summary>
/// Agents as real separate processes on loopback, driven through standard input and read through standard output:
/// they find each other, a key set on one is read on the other, a crash is reported down and a restart replaces the
/// old keys, and SIGTERM makes a graceful leave. Every socket is 127.0.0.1 port 0 (read back from "listening").
/// </summary>
public sealed partial class AgentProcessTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task Agents_join_share_a_key_show_the_same_table_and_leave_on_sigterm()
    {
        var cluster = NewClusterName();
        using var a = AgentProcess.Start("--id", "agent-a", "--bind", "127.0.0.1:0", "--preset", "local", "--cluster", cluster,
            "--set", "role=alpha", "--output", "json", "--updates");
        var addressOfA = AgentProcess.Str(await a.WaitForEventAsync("listening", null, Generous), "address")!;

        // b takes its preset and initial keys from a file; its flags override the file's cluster name and one key.
        using var config = new TempFile("""
            scuttlebutt {
              preset = local
              cluster-name = "not-this-one"
              initial-state { role = beta, zone = eu }
            }
            """);
        using var b = AgentProcess.Start("--config", config.Path, "--id", "agent-b", "--bind", "127.0.0.1:0", "--cluster", cluster,
            "--seeds", addressOfA, "--set", "role=gamma", "--output", "json", "--updates");

        var listening = await b.WaitForEventAsync("listening", null, Generous);
        Assert.Equal(cluster, AgentProcess.Str(listening, "cluster"));
        Assert.Equal(100, listening.GetProperty("interval_ms").GetDouble());
        var joined = await b.WaitForEventAsync("joined", "agent-a", Generous);
        Assert.Equal(addressOfA, AgentProcess.Str(joined, "address"));
        Assert.Equal("agent-b", AgentProcess.Str(joined, "observer"));
        await a.WaitForJsonAsync(e => IsUpdate(e, "agent-b", "role", "gamma"), Generous);
        await a.WaitForJsonAsync(e => IsUpdate(e, "agent-b", "zone", "eu"), Generous);

        var set = await a.AskAsync("set color=blue", "set", Generous);
        Assert.Equal("set", AgentProcess.Type(set));
        Assert.Equal(("color", "blue"), (AgentProcess.Str(set, "key"), AgentProcess.Str(set, "value")));
        var version = set.GetProperty("version").GetInt64();

        await b.WaitForJsonAsync(e => IsUpdate(e, "agent-a", "color", "blue"), Generous);
        var get = await b.AskAsync("get agent-a color", "get", Generous);
        Assert.True(get.GetProperty("found").GetBoolean(), get.ToString());
        Assert.Equal("blue", AgentProcess.Str(get, "value"));
        Assert.Equal(version, get.GetProperty("version").GetInt64());
        var missing = await b.AskAsync("get agent-a no-such-key", "get", Generous);
        Assert.False(missing.GetProperty("found").GetBoolean());
        var unknown = await b.AskAsync("get nobody color", "get", Generous);
        Assert.Equal("error", AgentProcess.Type(unknown));

        var since = b.StdoutCount;
        b.Send("keys agent-a");
        var count = await b.WaitForJsonAsync(e => AgentProcess.Type(e) == "keys", Generous, since);
        Assert.Equal(2, count.GetProperty("count").GetInt32());
        var keys = b.Stdout.Skip(since).Select(Parse).Where(e => AgentProcess.Type(e) == "key").Select(e => AgentProcess.Str(e, "key")).ToArray();
        Assert.Equal(new[] { "color", "role" }, keys);

        // Both tables list both nodes alive with the same keys, and (once gossip has settled) the same versions.
        var (rowsOfA, rowsOfB) = await SettledTablesAsync(a, b);
        foreach (var rows in new[] { rowsOfA, rowsOfB })
        {
            Assert.Equal(new[] { "agent-a", "agent-b" }, rows.Keys.Order(StringComparer.Ordinal));
            Assert.All(rows.Values, r => Assert.Equal("alive", AgentProcess.Str(r, "status")));
        }

        Assert.Equal(KeysOf(rowsOfA["agent-b"]), KeysOf(rowsOfB["agent-b"]));
        Assert.Equal(KeysOf(rowsOfA["agent-a"]), KeysOf(rowsOfB["agent-a"]));
        Assert.Equal("gamma", KeysOf(rowsOfA["agent-b"])["role"]);

        // SIGTERM: b leaves gracefully, a reports it left (not down), and b exits 0.
        var beforeLeave = a.StdoutCount;
        b.Terminate();
        var report = await a.WaitForJsonAsync(e => (AgentProcess.Type(e) is "left" or "down") && AgentProcess.Str(e, "peer") == "agent-b", Generous, beforeLeave);
        Assert.Equal("left", AgentProcess.Type(report));
        Assert.Equal(0, await b.WaitForExitAsync(Generous));
        var leaving = b.Stdout.Select(Parse).Single(e => AgentProcess.Type(e) == "leaving");
        Assert.Equal("SIGTERM", AgentProcess.Str(leaving, "reason"));
        Assert.Equal("left", AgentProcess.Type(Parse(b.Stdout[^1])));
    }

    [Fact]
    public async Task A_killed_agent_is_reported_down_and_its_restart_replaces_its_keys_in_text_output()
    {
        var cluster = NewClusterName();
        // a keeps a down peer for a minute rather than the preset's 10 s, so that a restart that is slow to start on a
        // loaded machine still finds the old incarnation there to replace.
        using var config = new TempFile("""
            scuttlebutt {
              preset = local
              failure-detector { down-expiry = 60s }
              removed-peer-memory = 120s
            }
            """);
        using var a = AgentProcess.Start("--config", config.Path, "--id", "agent-a", "--bind", "127.0.0.1:0", "--cluster", cluster, "--updates");
        var listening = await a.WaitForLineAsync(l => TextLine("listening ").IsMatch(l), Generous);
        var addressOfA = listening[(listening.LastIndexOf(' ') + 1)..];

        using (var b = AgentProcess.Start("--id", "agent-b", "--bind", "127.0.0.1:0", "--preset", "local", "--cluster", cluster,
                   "--seeds", addressOfA, "--set", "old=1", "--set", "kept=1"))
        {
            await a.WaitForLineAsync(l => TextLine("updated agent-b kept=1 ").IsMatch(l), Generous);
            await a.WaitForLineAsync(l => TextLine("updated agent-b old=1 ").IsMatch(l), Generous);
            b.Kill();
        }

        // Two nodes: nobody else can corroborate, so phi alone made the verdict and the line says so.
        await a.WaitForLineAsync(l => TextLine(@"down agent-b phi=\d").IsMatch(l), Generous);

        using var again = AgentProcess.Start("--id", "agent-b", "--bind", "127.0.0.1:0", "--preset", "local", "--cluster", cluster,
            "--seeds", addressOfA, "--set", "new=2", "--set", "kept=2");
        await a.WaitForLineAsync(l => TextLine(@"restarted agent-b 127\.0\.0\.1:\d+ generation=\d+->\d+").IsMatch(l), Generous);
        await a.WaitForLineAsync(l => TextLine(@"deleted agent-b old \(restarted\)").IsMatch(l), Generous);
        await a.WaitForLineAsync(l => TextLine(@"deleted agent-b kept \(restarted\)").IsMatch(l), Generous);
        await a.WaitForLineAsync(l => TextLine("updated agent-b new=2 ").IsMatch(l), Generous);
        await a.WaitForLineAsync(l => TextLine("updated agent-b kept=2 ").IsMatch(l), Generous);

        var since = a.StdoutCount;
        a.Send("get agent-b old");
        await a.WaitForLineAsync(l => TextLine(@"get agent-b old \(not set\)").IsMatch(l), Generous, since);
        Assert.All(a.Stdout, l => Assert.Matches(TextTime(), l));
    }

    // Every text line starts with the local date, the time to the millisecond and the zone's offset.
    private static Regex TextLine(string rest) => new("^" + TextTime() + " " + rest);

    private static string TextTime() => @"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d\d:\d\d";

    private static string NewClusterName() => "agent-test-" + Guid.NewGuid().ToString("N")[..8];

    private static bool IsUpdate(JsonElement e, string peer, string key, string value) =>
        AgentProcess.Type(e) == "updated" && AgentProcess.Str(e, "peer") == peer && AgentProcess.Str(e, "key") == key && AgentProcess.Str(e, "value") == value;

    private static JsonElement Parse(string line)
    {
        using var doc = JsonDocument.Parse(line);
        return doc.RootElement.Clone();
    }

    private static Dictionary<string, string?> KeysOf(JsonElement row) =>
        row.GetProperty("keys").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());

    /// <summary>
    /// Both agents' tables once they agree on every node's version: a node may write between two tables (a suspicion
    /// of a peer on a loaded machine, say), so agreement is awaited rather than expected of the first pair.
    /// </summary>
    private static async Task<(Dictionary<string, JsonElement> A, Dictionary<string, JsonElement> B)> SettledTablesAsync(AgentProcess a, AgentProcess b)
    {
        var deadline = DateTime.UtcNow + Generous;
        while (true)
        {
            var rowsOfA = await MembersAsync(a);
            var rowsOfB = await MembersAsync(b);
            var versionsOfA = rowsOfA.ToDictionary(r => r.Key, r => r.Value.GetProperty("version").GetInt64());
            var versionsOfB = rowsOfB.ToDictionary(r => r.Key, r => r.Value.GetProperty("version").GetInt64());
            if (versionsOfA.Count == versionsOfB.Count && versionsOfA.All(v => versionsOfB.TryGetValue(v.Key, out var w) && w == v.Value))
                return (rowsOfA, rowsOfB);
            Assert.True(DateTime.UtcNow < deadline, $"The tables never agreed on versions: a {string.Join(", ", versionsOfA)}; b {string.Join(", ", versionsOfB)}");
            // No line announces agreement: ask again shortly.
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>Asks for the member table and returns its rows by node id, once the summary line has come.</summary>
    private static async Task<Dictionary<string, JsonElement>> MembersAsync(AgentProcess agent)
    {
        var since = agent.StdoutCount;
        agent.Send("members");
        var summary = await agent.WaitForJsonAsync(e => AgentProcess.Type(e) == "members", Generous, since);
        var rows = agent.Stdout.Skip(since).Select(Parse).Where(e => AgentProcess.Type(e) == "member").ToDictionary(e => AgentProcess.Str(e, "peer")!);
        Assert.Equal(rows.Count - 1, summary.GetProperty("peers").GetInt32());
        return rows;
    }
}
