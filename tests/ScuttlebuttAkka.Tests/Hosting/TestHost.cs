using Akka.Hosting;
using ScuttlebuttAkka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ScuttlebuttAkka.Tests.Hosting;

/// <summary>A real generic host with Akka.Hosting, built the way an application builds one (no Akka.Hosting.TestKit).</summary>
internal static class TestHost
{
    public static IHost Build(string systemName, Action<AkkaConfigurationBuilder> akka, bool addNode = true)
    {
        // No appsettings, environment or console logging: the test decides everything the host sees.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddAkka(systemName, akka);
        if (addNode)
            builder.Services.AddScuttlebuttNode();
        return builder.Build();
    }
}
