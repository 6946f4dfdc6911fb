using ScuttlebuttAkka.Protocol;

namespace ScuttlebuttAkka.Tests.Protocol.Wire;

/// <summary>What one fuzz shard saw: drop reasons, acceptance by strategy, and what reached the view.</summary>
internal sealed class FuzzOutcome
{
    public Dictionary<DropReason, int> Reasons { get; } = new();

    public Dictionary<FuzzStrategy, (int Total, int Accepted)> ByStrategy { get; } = new();

    public Dictionary<string, int> Applied { get; } = new(StringComparer.Ordinal);

    public int RefusedByView { get; set; }

    public void Count(FuzzStrategy strategy, DropReason reason)
    {
        Reasons[reason] = Reasons.GetValueOrDefault(reason) + 1;
        var (total, accepted) = ByStrategy.GetValueOrDefault(strategy);
        ByStrategy[strategy] = (total + 1, accepted + (reason == DropReason.None ? 1 : 0));
    }

    public static FuzzOutcome Combine(FuzzOutcome a, FuzzOutcome b)
    {
        var sum = new FuzzOutcome { RefusedByView = a.RefusedByView + b.RefusedByView };
        foreach (var o in new[] { a, b })
        {
            foreach (var (r, n) in o.Reasons)
                sum.Reasons[r] = sum.Reasons.GetValueOrDefault(r) + n;
            foreach (var (s, (t, acc)) in o.ByStrategy)
            {
                var (t0, a0) = sum.ByStrategy.GetValueOrDefault(s);
                sum.ByStrategy[s] = (t0 + t, a0 + acc);
            }

            foreach (var (k, n) in o.Applied)
                sum.Applied[k] = sum.Applied.GetValueOrDefault(k) + n;
        }

        return sum;
    }
}
