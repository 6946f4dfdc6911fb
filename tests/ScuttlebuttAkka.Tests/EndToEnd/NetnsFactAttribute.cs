namespace ScuttlebuttAkka.Tests.EndToEnd;

/// <summary>
/// A fact that needs root and the <c>ip</c> and <c>nft</c> tools on Linux; skipped with the reason otherwise. Whether
/// namespaces can really be created is only known when the test tries, so it reports that itself.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NetnsFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the machine cannot run network-namespace tests.</summary>
    public NetnsFactAttribute()
    {
        if (NetnsEnvironment.WhyUnavailable() is { } reason)
            Skip = reason;
    }
}
