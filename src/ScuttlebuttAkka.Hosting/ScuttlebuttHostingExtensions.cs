using System.Runtime.CompilerServices;
using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ScuttlebuttAkka.Actors;

namespace ScuttlebuttAkka.Hosting;

/// <summary>Akka.Hosting integration: <c>akka.WithScuttlebutt(options)</c> and <c>services.AddScuttlebuttNode()</c>.</summary>
public static class ScuttlebuttHostingExtensions
{
    // The builders that already host a node: one hosted node per ActorSystem.
    private static readonly ConditionalWeakTable<AkkaConfigurationBuilder, object> Configured = new();

    /// <summary>
    /// Starts a Scuttlebutt node when the ActorSystem starts: <paramref name="options"/> are rendered to HOCON in front
    /// of the configuration (over reference.conf), the node's <see cref="GossiperActor"/> (named
    /// <c>scuttlebutt-&lt;node id&gt;</c>, on the socket loop) is registered in the <c>ActorRegistry</c> for
    /// <c>IRequiredActor&lt;GossiperActor&gt;</c>, and the host's start waits until its socket is bound. With
    /// <see cref="AddScuttlebuttNode"/> the <see cref="ScuttlebuttNode"/> facade is injectable too.
    /// <paramref name="configure"/> adjusts settings that have no HOCON form (a seed provider, a clock). One node per
    /// ActorSystem: a second call throws <see cref="InvalidOperationException"/>; start further nodes with
    /// <see cref="ScuttlebuttNode.StartAsync(ActorSystem, ScuttlebuttSettings, CancellationToken)"/>. Invalid options
    /// fail the host's start with an <see cref="ArgumentException"/> naming the option.
    /// </summary>
    public static AkkaConfigurationBuilder WithScuttlebutt(
        this AkkaConfigurationBuilder builder,
        ScuttlebuttOptions options,
        Func<ScuttlebuttSettings, ScuttlebuttSettings>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        lock (Configured)
        {
            if (Configured.TryGetValue(builder, out _))
            {
                throw new InvalidOperationException(
                    "WithScuttlebutt was already called for this ActorSystem: it hosts one Scuttlebutt node, whose options fill the " +
                    "ActorSystem's 'scuttlebutt' configuration. Put every option in one call, or start further nodes in the same " +
                    "ActorSystem with ScuttlebuttNode.StartAsync(system, settings).");
            }

            Configured.Add(builder, builder);
        }

        // Rendered now, so that a value HOCON cannot carry fails here, naming its option.
        builder.AddHocon(ConfigurationFactory.ParseString(options.ToHocon()), HoconAddMode.Prepend);
        var leaveOnShutdown = options.LeaveOnShutdown ?? true;
        builder.WithActors(new ActorStarter(async (system, registry) =>
        {
            var hosted = HostedNode.For(system);
            try
            {
                var settings = Settings(system, options, configure);
                var node = await ScuttlebuttNode.StartAsync(system, settings).ConfigureAwait(false);
                registry.Register<GossiperActor>(node.Gossiper);
                if (leaveOnShutdown)
                    LeaveOnShutdown(system, node);
                hosted.Started(node);
            }
            catch (Exception ex)
            {
                hosted.Failed(ex);
                throw;
            }
        }));
        return builder;
    }

    /// <summary>
    /// Makes the node started by <see cref="WithScuttlebutt"/> injectable: <see cref="ScuttlebuttNode"/> (resolve it after
    /// the host has started) and <see cref="IRequiredScuttlebuttNode"/> (inject it anywhere, await its <c>GetAsync</c>).
    /// Call it beside <c>AddAkka</c>; Akka.Hosting runs <c>WithScuttlebutt</c> only once the container is built, too late
    /// to register services from there. Calling it again changes nothing.
    /// </summary>
    public static IServiceCollection AddScuttlebuttNode(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<IRequiredScuttlebuttNode>(sp => HostedNode.For(sp.GetRequiredService<ActorSystem>()));
        services.TryAddSingleton(sp => sp.GetRequiredService<IRequiredScuttlebuttNode>().Node);
        return services;
    }

    // The ActorSystem's `scuttlebutt` section (the options in front), then the code-only adjustments, validated; an
    // error about a value that came from an option names that option.
    private static ScuttlebuttSettings Settings(ActorSystem system, ScuttlebuttOptions options, Func<ScuttlebuttSettings, ScuttlebuttSettings>? configure)
    {
        ScuttlebuttSettings settings;
        try
        {
            settings = ScuttlebuttSettings.Create(system);
            if (configure is not null)
                settings = configure(settings) ?? throw new InvalidOperationException("The configure callback of WithScuttlebutt returned null.");
            return settings.Validate();
        }
        catch (ArgumentException ex) when (options.OptionFor(ex.ParamName) is { } option)
        {
            throw new ArgumentException($"ScuttlebuttOptions.{option} is invalid: {ex.Message}", option, ex);
        }
    }

    private static void LeaveOnShutdown(ActorSystem system, ScuttlebuttNode node)
    {
        var stopped = node.Gossiper.WatchAsync();
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseClusterLeave, "scuttlebutt-leave", async () =>
        {
            // A node the application already stopped (or left) has nothing to announce; asking it would only time out.
            if (!stopped.IsCompleted)
                await node.LeaveAsync().ConfigureAwait(false);
            return Done.Instance;
        });
    }
}
