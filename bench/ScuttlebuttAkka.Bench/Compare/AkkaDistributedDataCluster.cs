using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.DistributedData;
using ScuttlebuttAkka.Bench.Clusters;

namespace ScuttlebuttAkka.Bench.Compare;

/// <summary>
/// The same cluster built the Akka way: one ActorSystem per node in this process, remoting over DotNetty TCP on
/// 127.0.0.1, Akka.Cluster membership with the first node as the only seed, and each node's benchmark value in one
/// replicated <c>LWWDictionary</c> (writer id to value) written with <c>WriteLocal</c>.
/// </summary>
internal sealed class AkkaDistributedDataCluster : IClusterUnderTest
{
    private static readonly LWWDictionaryKey<string, string> Key = new("bench");
    private readonly Config _config;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentDictionary<Address, string> _ids = new();
    private readonly object _gate = new();
    private readonly List<(string Id, ActorSystem System)> _running = new();
    private readonly TimeSpan _joinTimeout;
    private int _nextIndex;

    /// <summary>Creates an empty cluster; nodes are added by <see cref="StartNodeAsync"/>.</summary>
    public AkkaDistributedDataCluster(ClusterSpec spec, bool theirDefaults)
    {
        _config = AkkaSettings.For(spec.Interval, theirDefaults);
        _joinTimeout = TimeSpan.FromSeconds(60);
        Description = theirDefaults ? "Akka.Cluster + DData, Akka defaults" : $"Akka.Cluster + DData, {spec.Interval.TotalMilliseconds:0} ms";
    }

    /// <inheritdoc />
    public bool RunsInRealTime => true;

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public ObservationLog Log { get; } = new();

    /// <inheritdoc />
    public IReadOnlyList<string> RunningNodes
    {
        get
        {
            lock (_gate)
                return _running.Select(n => n.Id).ToArray();
        }
    }

    /// <inheritdoc />
    public TimeSpan Now => _clock.Elapsed;

    /// <inheritdoc />
    public long? BytesSent => null;

    /// <inheritdoc />
    public async Task<string> StartNodeAsync(CancellationToken cancellationToken)
    {
        int index;
        Address? seed;
        lock (_gate)
        {
            index = _nextIndex++;
            seed = _running.Count > 0 ? Cluster.Get(_running[0].System).SelfAddress : null;
        }

        var id = "akka-" + index.ToString("D2", CultureInfo.InvariantCulture);
        // Every node must have the same system name to be in one cluster; creating one binds its socket.
        var system = await Task.Run(() => ActorSystem.Create("bench", _config), cancellationToken).ConfigureAwait(false);
        var cluster = Cluster.Get(system);
        _ids[cluster.SelfAddress] = id;
        var replicator = DistributedData.Get(system).Replicator;
        system.ActorOf(AkkaMemberProbe.Props(id, IdOf, Log, () => Now, replicator, Key), "probe");
        if (seed is null)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_joinTimeout);
            await cluster.JoinAsync(cluster.SelfAddress, timeout.Token).ConfigureAwait(false);
        }
        else
        {
            cluster.Join(seed);
        }

        lock (_gate)
            _running.Add((id, system));
        return id;
    }

    /// <inheritdoc />
    public void Write(string nodeId, string value)
    {
        var system = SystemOf(nodeId);
        var self = Cluster.Get(system).SelfUniqueAddress;
        DistributedData.Get(system).Replicator.Tell(Dsl.Update(Key, LWWDictionary<string, string>.Empty, WriteLocal.Instance, d => d.SetItem(self, nodeId, value)));
    }

    /// <inheritdoc />
    public async Task CrashAsync(string nodeId)
    {
        var system = Detach(nodeId);
        await system.Terminate().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task LeaveAsync(string nodeId)
    {
        var system = Detach(nodeId);
        using var timeout = new CancellationTokenSource(_joinTimeout);
        try
        {
            await Cluster.Get(system).LeaveAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Reported by the scenario as a leave that did not reach everyone.
        }

        await system.Terminate().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken) =>
        RealTime.WaitUntilAsync(Log, condition, timeout, cancellationToken);

    /// <inheritdoc />
    public Task DelayAsync(TimeSpan duration, CancellationToken cancellationToken) => Task.Delay(duration, cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        ActorSystem[] systems;
        lock (_gate)
        {
            systems = _running.Select(n => n.System).ToArray();
            _running.Clear();
        }

        await Task.WhenAll(systems.Select(s => s.Terminate())).WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        foreach (var system in systems)
            system.Dispose();
    }

    private string IdOf(Address address) => _ids.TryGetValue(address, out var id) ? id : address.ToString();

    private ActorSystem SystemOf(string nodeId)
    {
        lock (_gate)
            return _running.First(n => n.Id == nodeId).System;
    }

    private ActorSystem Detach(string nodeId)
    {
        lock (_gate)
        {
            var index = _running.FindIndex(n => n.Id == nodeId);
            var system = _running[index].System;
            _running.RemoveAt(index);
            return system;
        }
    }
}
