using Akka.Hosting;
using ScuttlebuttAkka.Actors;
using ScuttlebuttAkka.Transport;

namespace ScuttlebuttAkka.Hosting;

/// <summary>Akka.Hosting integration: <c>builder.WithScuttlebutt(options)</c>.</summary>
public static class AkkaHostingExtensions
{
    /// <summary>
    /// Adds the options as HOCON over the library's defaults and starts a <see cref="GossiperActor"/> (named
    /// "scuttlebutt", on the <see cref="IoDispatcher"/>) when the ActorSystem starts, registered in the <c>ActorRegistry</c> so it can be injected as
    /// <c>IRequiredActor&lt;GossiperActor&gt;</c>. <paramref name="configure"/> may adjust settings that have no HOCON
    /// form (a seed callback, a clock).
    /// </summary>
    public static AkkaConfigurationBuilder WithScuttlebutt(
        this AkkaConfigurationBuilder builder,
        ScuttlebuttOptions options,
        Func<ScuttlebuttSettings, ScuttlebuttSettings>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        builder.AddHocon(options.ToHocon(), HoconAddMode.Prepend);
        builder.WithActors((system, registry) =>
        {
            var settings = ScuttlebuttSettings.Create(system);
            if (configure is not null)
                settings = configure(settings);
            var gossiper = system.ActorOf(IoDispatcher.On(system, GossiperActor.Props(settings)), "scuttlebutt");
            registry.Register<GossiperActor>(gossiper);
        });
        return builder;
    }
}
