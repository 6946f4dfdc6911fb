using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Agent;

/// <summary>
/// Warns on standard error when the seeds cannot be what the operator meant: a seed whose host name does not resolve
/// (the node would wait for it forever, silently), no seed answering within <see cref="RoundsBeforeWarning"/> rounds of
/// the start, and the node being alone (no live peer) for <see cref="AloneWarning"/>. Only when seeds were given: a
/// node without seeds is the first of its cluster and waits to be contacted.
/// </summary>
internal sealed class SeedWatch
{
    /// <summary>Rounds after the start by which some seed should have answered.</summary>
    public const int RoundsBeforeWarning = 10;

    /// <summary>How long a node may be alone before it is said again.</summary>
    public static readonly TimeSpan AloneWarning = TimeSpan.FromMinutes(1);

    private readonly IReadOnlyList<string> _seeds;
    private readonly TimeSpan _interval;
    private readonly Func<int> _livePeers;
    private readonly AgentOutput _output;
    private readonly TimeProvider _time;

    /// <summary>Creates the watch of a node with <paramref name="seeds"/> and gossip interval <paramref name="interval"/>.</summary>
    public SeedWatch(IReadOnlyList<string> seeds, TimeSpan interval, Func<int> livePeers, AgentOutput output, TimeProvider? time = null)
    {
        _seeds = seeds;
        _interval = interval;
        _livePeers = livePeers;
        _output = output;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Resolves every seed given by host name and warns about each one that does not resolve.</summary>
    public async Task CheckNamesAsync(CancellationToken cancellationToken)
    {
        foreach (var seed in _seeds)
        {
            if (GossipAddress.TryParseEndPoint(seed, out _) || !GossipAddress.TryParse(seed, out var host, out _))
                continue;
            string? problem;
            try
            {
                var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
                problem = addresses.Length == 0 ? "it has no address" : null;
            }
            catch (SocketException e)
            {
                problem = ErrorText.Of(e);
            }
            catch (ArgumentException e)
            {
                problem = ErrorText.Of(e);
            }

            if (problem is not null)
                _output.Warning($"seed {seed} does not resolve ({problem}); the node cannot reach it until it does");
        }
    }

    /// <summary>Checks once per gossip interval until cancelled, warning when no seed answered or the node is alone.</summary>
    public async Task WatchAsync(CancellationToken cancellationToken)
    {
        if (_seeds.Count == 0)
            return;
        var startup = _interval * RoundsBeforeWarning;
        var start = _time.GetTimestamp();
        var aloneSince = start;
        var everAnswered = false;
        var startupWarned = false;
        var aloneWarned = false;
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var now = _time.GetTimestamp();
                if (_livePeers() > 0)
                {
                    everAnswered = true;
                    aloneWarned = false;
                    aloneSince = now;
                    continue;
                }

                if (!everAnswered && !startupWarned && _time.GetElapsedTime(start, now) >= startup)
                {
                    startupWarned = true;
                    _output.Warning(string.Create(CultureInfo.InvariantCulture,
                        $"no seed answered within {RoundsBeforeWarning} rounds ({startup.TotalSeconds:0.#} s); seeds: {string.Join(", ", _seeds)}"));
                }

                if (!aloneWarned && _time.GetElapsedTime(aloneSince, now) >= AloneWarning)
                {
                    aloneWarned = true;
                    _output.Warning(string.Create(CultureInfo.InvariantCulture,
                        $"no live peer for {AloneWarning.TotalSeconds:0} s; still asking the seeds: {string.Join(", ", _seeds)}"));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The agent is stopping.
        }
    }
}
