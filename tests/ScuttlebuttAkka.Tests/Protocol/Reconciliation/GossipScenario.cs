using CsCheck;
using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Reconciliation;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Tests.Protocol.Reconciliation;

/// <summary>What one step of a generated scenario does.</summary>
internal enum ScenarioOpKind
{
    Set,
    SetWithTtl,
    Delete,
    Exchange,
    Tick,
    Heartbeat,
    Restart,
    Leave,
}

/// <summary>One step of a generated scenario; which fields matter depends on <see cref="Kind"/>.</summary>
internal readonly record struct ScenarioOp(ScenarioOpKind Kind, int Node, int Other, int Key, string Value, int Amount)
{
    public override string ToString() => Kind switch
    {
        ScenarioOpKind.Set => $"n{Node}.Set({GossipScenario.Keys[Key]}={Quote(Value)})",
        ScenarioOpKind.SetWithTtl => $"n{Node}.Set({GossipScenario.Keys[Key]}={Quote(Value)}, ttl {Amount} ms)",
        ScenarioOpKind.Delete => $"n{Node}.Delete({GossipScenario.Keys[Key]})",
        ScenarioOpKind.Exchange => $"n{Node}->n{Other}",
        ScenarioOpKind.Tick => $"tick {Amount} ms",
        ScenarioOpKind.Heartbeat => $"n{Node}.Heartbeat",
        ScenarioOpKind.Restart => $"n{Node}.Restart(keep {Amount} keys)",
        ScenarioOpKind.Leave => $"n{Node}.Leave",
        _ => Kind.ToString(),
    };

    private static string Quote(string s) => "\"" + s + "\"";
}

/// <summary>
/// A random cluster history: writes, deletes, writes with a time to live, heartbeats, restarts, leaves and clock ticks
/// (which expire keys and collect tombstones), interleaved with exchanges, under one datagram budget.
/// </summary>
internal sealed record GossipScenario(int NodeCount, int Budget, long TombstoneGraceMs, ulong RandomSeed, ScenarioOp[] Ops)
{
    /// <summary>The keys nodes write: ASCII, accented, CJK, Cyrillic and a surrogate pair, so UTF-8 lengths differ from char counts.</summary>
    public static readonly string[] Keys = ["a", "b", "c", "é", "中", "🙂", "k1", "ключ"];

    // Value pieces of 1 to 4 UTF-8 bytes, including a combining sequence and characters outside the BMP.
    private static readonly string[] ValuePieces = ["x", "y", "0", " ", "é", "ß", "ж", "中", "語", "🙂", "𝄞", "e\u0301"];

    /// <summary>
    /// Scenarios with <paramref name="minNodes"/> to <paramref name="maxNodes"/> nodes and a budget anywhere from the
    /// minimum to the largest UDP payload (weighted towards small budgets, where truncation happens).
    /// </summary>
    public static Gen<GossipScenario> Generator(int minNodes, int maxNodes, int maxOps) =>
        from nodes in Gen.Int[minNodes, maxNodes]
        from budget in Gen.Frequency(
            (3, Gen.Int[WireFormat.MinimumBudget, 160]),
            (3, Gen.Int[161, 1500]),
            (2, Gen.Int[1501, WireFormat.MaximumBudget]))
        from grace in Gen.OneOfConst(0L, 25L, 400L, 1_000_000L)
        from seed in Gen.ULong
        from ops in OpGenerator(nodes, budget).Array[0, maxOps]
        select new GossipScenario(nodes, budget, grace, seed, ops);

    /// <summary>
    /// The largest value, in UTF-8 bytes, that still leaves room for a node delta header and the longest key at this
    /// budget: a pair must fit in one datagram or it can never be sent.
    /// </summary>
    public static int MaxValueBytes(int budget) => Math.Clamp(budget - WireFormat.HeaderSize - 45, 0, ProtocolLimits.Default.MaxValueBytes);

    private static Gen<ScenarioOp> OpGenerator(int nodes, int budget)
    {
        var node = Gen.Int[0, nodes - 1];
        var key = Gen.Int[0, Keys.Length - 1];
        var value = Gen.OneOfConst(ValuePieces).Array[0, MaxValueBytes(budget) / 4].Select(string.Concat);
        return Gen.Frequency(
            (30, Gen.Select(node, key, value, (n, k, v) => new ScenarioOp(ScenarioOpKind.Set, n, 0, k, v, 0))),
            (5, Gen.Select(node, key, value, Gen.Int[1, 500], (n, k, v, ttl) => new ScenarioOp(ScenarioOpKind.SetWithTtl, n, 0, k, v, ttl))),
            (10, Gen.Select(node, key, (n, k) => new ScenarioOp(ScenarioOpKind.Delete, n, 0, k, "", 0))),
            (35, Gen.Select(node, Gen.Int[1, nodes - 1], (n, o) => new ScenarioOp(ScenarioOpKind.Exchange, n, (n + o) % nodes, 0, "", 0))),
            (8, Gen.Int[1, 400].Select(ms => new ScenarioOp(ScenarioOpKind.Tick, 0, 0, 0, "", ms))),
            (8, node.Select(n => new ScenarioOp(ScenarioOpKind.Heartbeat, n, 0, 0, "", 0))),
            (3, Gen.Select(node, Gen.Int[0, 3], value, (n, keep, v) => new ScenarioOp(ScenarioOpKind.Restart, n, 0, 0, v, keep))),
            (1, node.Select(n => new ScenarioOp(ScenarioOpKind.Leave, n, 0, 0, "", 0))));
    }

    public override string ToString() =>
        $"{NodeCount} nodes, budget {Budget} B, tombstone grace {TombstoneGraceMs} ms, random seed {RandomSeed}, {Ops.Length} ops: "
        + string.Join("; ", Ops);
}
