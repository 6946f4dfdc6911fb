using System.Reflection;
using ScuttlebuttAkka.Protocol.Runtime;

namespace ScuttlebuttAkka.Tests.Protocol;

/// <summary>The protocol core, the node runtime included, names no Akka type anywhere in its signatures or fields.</summary>
public sealed class CoreIsAkkaFreeTests
{
    [Fact]
    public void No_type_under_ScuttlebuttAkka_Protocol_touches_an_Akka_type()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var core = typeof(NodeRuntime).Assembly.GetTypes()
            .Where(t => t.Namespace is { } ns && (ns == "ScuttlebuttAkka.Protocol" || ns.StartsWith("ScuttlebuttAkka.Protocol.", StringComparison.Ordinal)))
            .ToArray();
        Assert.Contains(typeof(NodeRuntime), core);

        var offenders = new List<string>();
        foreach (var type in core)
        {
            var used = new List<Type?> { type.BaseType };
            used.AddRange(type.GetInterfaces());
            used.AddRange(type.GetFields(all).Select(f => f.FieldType));
            used.AddRange(type.GetProperties(all).Select(p => p.PropertyType));
            foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                used.AddRange(method.GetParameters().Select(p => p.ParameterType));
                if (method is MethodInfo m)
                    used.Add(m.ReturnType);
            }

            foreach (var t in used.Where(t => t is not null).SelectMany(t => Expand(t!)))
            {
                if (t.Assembly.GetName().Name is { } name && name.StartsWith("Akka", StringComparison.Ordinal))
                    offenders.Add($"{type.FullName} uses {t.FullName}");
            }
        }

        Assert.Empty(offenders);
    }

    private static IEnumerable<Type> Expand(Type t)
    {
        yield return t;
        if (t.HasElementType)
        {
            foreach (var e in Expand(t.GetElementType()!))
                yield return e;
        }

        if (t.IsGenericType)
        {
            foreach (var e in t.GetGenericArguments().SelectMany(Expand))
                yield return e;
        }
    }
}
