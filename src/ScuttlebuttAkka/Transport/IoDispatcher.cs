using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;

namespace ScuttlebuttAkka.Transport;

/// <summary>
/// The Akka dispatcher the gossiper and its UDP stream run on: <c>scuttlebutt.io-dispatcher</c> in reference.conf,
/// whose executor is the process's <see cref="SocketLoop"/>. An application can point that key at another executor
/// (for instance <c>executor = default-executor</c> for the .NET thread pool) or change its throughput.
/// </summary>
internal static class IoDispatcher
{
    /// <summary>The dispatcher's id (and configuration path).</summary>
    public const string Id = "scuttlebutt.io-dispatcher";

    // The systems already given the fallback; weak, so a terminated system is not kept alive.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ActorSystem, object> Configured = new();

    /// <summary>
    /// Adds the library's reference configuration to <paramref name="system"/> as its lowest-priority fallback, so that
    /// <see cref="Id"/> resolves and any key the application set under it (say only <c>executor</c>) still wins over
    /// the defaults. Once per system; safe from several threads.
    /// </summary>
    public static void EnsureConfigured(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        lock (Configured)
        {
            if (Configured.TryGetValue(system, out _))
                return;
            system.Settings.InjectTopLevelFallback(ScuttlebuttSettings.DefaultConfig());
            Configured.Add(system, Configured);
        }
    }

    /// <summary><paramref name="props"/> on this dispatcher, after making sure <paramref name="system"/> knows it.</summary>
    internal static Props On(ActorSystem system, Props props)
    {
        EnsureConfigured(system);
        return props.WithDispatcher(Id);
    }
}

/// <summary>Hands an Akka dispatcher's work to <see cref="SocketLoop.Shared"/>; named in reference.conf, created by Akka.</summary>
internal sealed class SocketLoopExecutorConfigurator : ExecutorServiceConfigurator
{
    /// <summary>Called by Akka with the dispatcher's configuration.</summary>
    public SocketLoopExecutorConfigurator(Config config, IDispatcherPrerequisites prerequisites)
        : base(config, prerequisites)
    {
    }

    /// <inheritdoc />
    public override ExecutorService Produce(string id) => new SocketLoopExecutor(id);

    private sealed class SocketLoopExecutor(string id) : ExecutorService(id)
    {
        public override void Execute(IRunnable run) => SocketLoop.Shared.Execute(run);

        // The loop is the process's and outlives any one ActorSystem; its thread is a background thread.
        public override void Shutdown()
        {
        }
    }
}
