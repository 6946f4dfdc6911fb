using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using ScuttlebuttAkka.Protocol.Wire;
using ScuttlebuttAkka.Seeds;

namespace ScuttlebuttAkka.Actors;

/// <summary>
/// The gossiper's requests that may take long: the seed provider (the application's code) and name resolution. Both run
/// off the socket loop and answer the gossiper with a message, so however long they take, the loop and every node of the
/// process go on.
/// </summary>
internal static class OffTheLoop
{
    /// <summary>Asks <paramref name="provider"/> on the thread pool; answers <paramref name="gossiper"/> with <see cref="SeedsResolved"/> (empty when it failed).</summary>
    public static void AskForSeeds(ISeedProvider provider, IActorRef gossiper, ILoggingAdapter log, string nodeId)
    {
        // A callback may read a file or call a service synchronously: Task.Run keeps even that off the socket loop.
        Task.Run(() => provider.GetSeedsAsync(CancellationToken.None)).PipeTo(gossiper,
            success: seeds => new SeedsResolved(seeds),
            failure: ex =>
            {
                log.Warning("Seed provider of {0} failed: {1}", nodeId, ex.Message);
                return new SeedsResolved(Array.Empty<string>());
            });
    }

    /// <summary>
    /// Resolves the host of <paramref name="address"/>, preferring <paramref name="family"/>; answers
    /// <paramref name="gossiper"/> with <see cref="AddressResolved"/> (no endpoint when it failed).
    /// </summary>
    public static void Resolve(string address, AddressFamily family, IActorRef gossiper)
    {
        if (!GossipAddress.TryParse(address, out var host, out var port))
            return;
        Dns.GetHostAddressesAsync(host).PipeTo(gossiper,
            success: ips =>
            {
                var ip = ips.FirstOrDefault(a => a.AddressFamily == family) ?? ips.FirstOrDefault();
                return new AddressResolved(address, ip is null ? null : new IPEndPoint(ip, port));
            },
            failure: _ => new AddressResolved(address, null));
    }
}
