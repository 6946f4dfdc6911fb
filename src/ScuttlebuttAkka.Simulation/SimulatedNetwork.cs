using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using Akka.Actor;
using Akka.Streams.Dsl;
using ScuttlebuttAkka.Transport;

namespace ScuttlebuttAkka.Simulation;

/// <summary>
/// An in-memory network for gossipers running in an <see cref="ActorSystem"/>: pass <see cref="Transport"/> to
/// <see cref="ScuttlebuttNode.StartAsync(ActorSystem, ScuttlebuttSettings, TransportFactory, CancellationToken)"/>
/// where the UDP flow would go, and nothing else changes. Each node's flow binds a unique simulated address
/// (<c>127.1.0.N:port</c>, no socket), the same one again when a node with the same id starts anew. Every datagram
/// carries the real encoded bytes; the <see cref="NetworkModel"/> applies the size limit, partitions, loss, delay,
/// reordering and duplication with a seeded random source, and delayed copies are delivered by the actor system's
/// scheduler, in real time. Thread-safe: a test changes faults and partitions while the cluster runs.
/// </summary>
public sealed class SimulatedNetwork
{
    private readonly object _gate = new();
    private readonly ActorSystem _system;
    private readonly NetworkModel _model;
    private readonly Random _random;
    private readonly SimulatedNetworkOptions _options;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Dictionary<string, IPEndPoint> _addressOf = new(StringComparer.Ordinal);
    private readonly Dictionary<IPEndPoint, string> _nodeAt = new();
    private readonly Dictionary<IPEndPoint, SimulatedTransportStage.Port> _bound = new();
    private readonly uint _firstAddress;

    /// <summary>Creates an empty network whose delayed deliveries run on <paramref name="system"/>'s scheduler.</summary>
    public SimulatedNetwork(ActorSystem system, SimulatedNetworkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        _system = system;
        _options = (options ?? SimulatedNetworkOptions.Default).Validate();
        _model = new NetworkModel(_options.MaxDatagramBytes, _options.Faults);
        _random = new Random(_options.Seed);
        _firstAddress = BinaryPrimitives.ReadUInt32BigEndian(IPAddress.Parse(_options.FirstAddress).GetAddressBytes());
        Transport = settings =>
        {
            ArgumentNullException.ThrowIfNull(settings);
            return Flow.FromGraph(new SimulatedTransportStage(this, settings.NodeId, PortOf(settings.Bind), _options.InboundBufferSize));
        };
    }

    /// <summary>The transport to give each node; its flow materializes the node's simulated address.</summary>
    internal TransportFactory Transport { get; }

    /// <summary>
    /// Starts a node (a real <c>GossiperActor</c>) in <paramref name="system"/> on this network, bound to its simulated
    /// address: what <see cref="ScuttlebuttNode.StartAsync(Akka.Actor.ActorSystem, ScuttlebuttSettings, CancellationToken)"/>
    /// does over UDP.
    /// </summary>
    public Task<ScuttlebuttNode> StartNodeAsync(Akka.Actor.ActorSystem system, ScuttlebuttSettings settings, CancellationToken cancellationToken = default) =>
        ScuttlebuttNode.StartAsync(system, settings, Transport, cancellationToken);

    /// <summary>The faults of every link without faults of its own.</summary>
    public LinkFaults DefaultFaults
    {
        get
        {
            lock (_gate)
                return _model.DefaultFaults;
        }

        set
        {
            lock (_gate)
                _model.DefaultFaults = value;
        }
    }

    /// <summary>True while some partition is in force.</summary>
    public bool IsPartitioned
    {
        get
        {
            lock (_gate)
                return _model.IsPartitioned;
        }
    }

    /// <summary>Gives the directed link between two nodes (by node id) its own faults; null returns it to the defaults.</summary>
    public void SetFaults(string fromNodeId, string toNodeId, LinkFaults? faults)
    {
        lock (_gate)
            _model.SetFaults(fromNodeId, toNodeId, faults);
    }

    /// <summary>Cuts the links between two groups of node ids, both ways or only from <paramref name="sideA"/> to <paramref name="sideB"/>.</summary>
    public void Partition(IEnumerable<string> sideA, IEnumerable<string> sideB, PartitionDirection direction = PartitionDirection.TwoWay)
    {
        ArgumentNullException.ThrowIfNull(sideA);
        ArgumentNullException.ThrowIfNull(sideB);
        var a = sideA.ToArray();
        var b = sideB.ToArray();
        lock (_gate)
            _model.Partition(a, b, direction);
    }

    /// <summary>Lifts every partition.</summary>
    public void Heal()
    {
        lock (_gate)
            _model.Heal();
    }

    /// <summary>The simulated address given to <paramref name="nodeId"/>, or null before its first bind.</summary>
    public IPEndPoint? AddressOf(string nodeId)
    {
        lock (_gate)
            return _addressOf.TryGetValue(nodeId, out var ep) ? ep : null;
    }

    /// <summary>The counters of the directed link between two nodes (by node id).</summary>
    public LinkStatistics StatisticsOf(string fromNodeId, string toNodeId)
    {
        lock (_gate)
            return _model.StatisticsOf(fromNodeId, toNodeId);
    }

    /// <summary>The counters of every link that carried something.</summary>
    public IReadOnlyList<LinkStatistics> Links()
    {
        lock (_gate)
            return _model.Links();
    }

    /// <summary>The counters of all links added up.</summary>
    public LinkStatistics Totals()
    {
        lock (_gate)
            return _model.Totals();
    }

    internal IPEndPoint Bind(string nodeId, int port, SimulatedTransportStage.Port receiver)
    {
        lock (_gate)
        {
            if (!_addressOf.TryGetValue(nodeId, out var endPoint) || endPoint.Port != port)
            {
                endPoint = endPoint is null ? NextAddress(port) : new IPEndPoint(endPoint.Address, port);
                _addressOf[nodeId] = endPoint;
                _nodeAt[endPoint] = nodeId;
            }

            if (!_bound.TryAdd(endPoint, receiver))
                throw new InvalidOperationException($"Node '{nodeId}' is already bound to simulated address {endPoint}: stop it before starting it again.");
            return endPoint;
        }
    }

    internal void Unbind(IPEndPoint endPoint, SimulatedTransportStage.Port receiver)
    {
        lock (_gate)
        {
            if (_bound.TryGetValue(endPoint, out var current) && ReferenceEquals(current, receiver))
                _bound.Remove(endPoint);
        }
    }

    /// <summary>Routes one datagram sent by <paramref name="fromNodeId"/> at <paramref name="from"/>; never throws for network reasons.</summary>
    internal void Send(string fromNodeId, IPEndPoint from, Datagram datagram)
    {
        // The copy is the datagram on the wire: duplicates share it, and the sender may reuse its buffer.
        var payload = datagram.Payload.ToArray();
        Span<long> arrivals = stackalloc long[NetworkModel.MaxCopies];
        int copies;
        string to;
        long now;
        lock (_gate)
        {
            now = _clock.ElapsedMilliseconds;
            if (datagram.Remote is not IPEndPoint remote || !_nodeAt.TryGetValue(remote, out var toNode))
            {
                // No node ever bound there: like UDP to a closed port, it vanishes.
                _model.CountUndeliverable(fromNodeId, datagram.Remote.ToString() ?? "?");
                return;
            }

            to = toNode;
            copies = _model.Route(fromNodeId, to, payload.Length, now, _random, arrivals);
        }

        var remoteEndPoint = (IPEndPoint)datagram.Remote;
        for (var i = 0; i < copies; i++)
        {
            var delay = arrivals[i] - now;
            var arriving = new Datagram(payload, from);
            if (delay <= 0)
                Deliver(fromNodeId, to, remoteEndPoint, arriving);
            else
                _system.Scheduler.Advanced.ScheduleOnce(TimeSpan.FromMilliseconds(delay), () => Deliver(fromNodeId, to, remoteEndPoint, arriving));
        }
    }

    private void Deliver(string fromNodeId, string toNodeId, IPEndPoint to, Datagram datagram)
    {
        SimulatedTransportStage.Port? receiver;
        lock (_gate)
            _bound.TryGetValue(to, out receiver);
        if (receiver is not null && receiver.Offer(datagram))
            return;
        lock (_gate)
            _model.CountUndeliverable(fromNodeId, toNodeId);
    }

    private IPEndPoint NextAddress(int port)
    {
        var n = (uint)_addressOf.Count;
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, _firstAddress + n);
        return new IPEndPoint(new IPAddress(bytes), port);
    }

    private int PortOf(string bind) =>
        Protocol.Wire.GossipAddress.TryParse(bind, out _, out var port) && port != 0 ? port : _options.DefaultPort;
}
