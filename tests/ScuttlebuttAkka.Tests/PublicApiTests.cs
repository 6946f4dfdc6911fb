namespace ScuttlebuttAkka.Tests;

/// <summary>
/// The core package's public surface stays small: what an application calls, and nothing of the protocol's inner
/// parts, which may change in any release. The members are pinned by PublicAPI.Shipped.txt (the build fails on an
/// undeclared change); this pins the number and the kind of types.
/// </summary>
public sealed class PublicApiTests
{
    [Fact]
    public void The_core_package_exports_at_most_forty_types_and_none_of_the_protocols_inner_parts()
    {
        var exported = typeof(ScuttlebuttNode).Assembly.GetExportedTypes().Select(t => t.FullName!).Order(StringComparer.Ordinal).ToArray();

        Assert.True(exported.Length <= 40, $"{exported.Length} public types:\n" + string.Join("\n", exported));
        Assert.DoesNotContain(exported, name => name.StartsWith("ScuttlebuttAkka.Protocol.", StringComparison.Ordinal) && name.Count(c => c == '.') > 2);
        Assert.Contains("ScuttlebuttAkka.ScuttlebuttNode", exported);
        Assert.Contains("ScuttlebuttAkka.Actors.GossiperActor", exported);
    }
}
