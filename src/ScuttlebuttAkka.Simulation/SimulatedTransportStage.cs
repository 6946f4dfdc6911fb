using System.Net;
using Akka.Streams;
using Akka.Streams.Stage;
using ScuttlebuttAkka.Transport;

namespace ScuttlebuttAkka.Simulation;

/// <summary>
/// One node's end of a <see cref="SimulatedNetwork"/>, shaped like the UDP stage: datagrams pushed in are sent, datagrams
/// delivered to the node's simulated address come out. Sending never backpressures; arrivals wait in a bounded queue.
/// </summary>
internal sealed class SimulatedTransportStage : GraphStageWithMaterializedValue<FlowShape<Datagram, Datagram>, Task<EndPoint>>
{
    private readonly SimulatedNetwork _network;
    private readonly string _nodeId;
    private readonly int _port;
    private readonly int _inboundCapacity;

    public SimulatedTransportStage(SimulatedNetwork network, string nodeId, int port, int inboundCapacity)
    {
        _network = network;
        _nodeId = nodeId;
        _port = port;
        _inboundCapacity = inboundCapacity;
        Shape = new FlowShape<Datagram, Datagram>(ToSend, Received);
    }

    public Inlet<Datagram> ToSend { get; } = new("simulated.send");

    public Outlet<Datagram> Received { get; } = new("simulated.receive");

    public override FlowShape<Datagram, Datagram> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("simulated-network");

    public override ILogicAndMaterializedValue<Task<EndPoint>> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var bound = new TaskCompletionSource<EndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        return new LogicAndMaterializedValue<Task<EndPoint>>(new Logic(this, bound), bound.Task);
    }

    /// <summary>Where the network drops arrivals for one materialization; called from any thread.</summary>
    internal sealed class Port
    {
        private readonly object _gate = new();
        private readonly Queue<Datagram> _queue = new();
        private readonly int _capacity;
        private Action? _wakeUp;
        private bool _wakeUpPending;
        private bool _stopped;

        public Port(int capacity) => _capacity = capacity;

        public void Open(Action wakeUp)
        {
            lock (_gate)
                _wakeUp = wakeUp;
        }

        /// <summary>Queues an arrival; false when the node is gone or its queue is full.</summary>
        public bool Offer(Datagram datagram)
        {
            lock (_gate)
            {
                if (_stopped || _wakeUp is null || _queue.Count >= _capacity)
                    return false;
                _queue.Enqueue(datagram);
                if (!_wakeUpPending)
                {
                    _wakeUpPending = true;
                    // Invoked under the lock so that no callback can follow Close.
                    _wakeUp();
                }

                return true;
            }
        }

        public bool TryTake(out Datagram? datagram)
        {
            lock (_gate)
            {
                _wakeUpPending = false;
                return _queue.TryDequeue(out datagram);
            }
        }

        public void Close()
        {
            lock (_gate)
            {
                _stopped = true;
                _queue.Clear();
            }
        }
    }

    private sealed class Logic : GraphStageLogic
    {
        private readonly SimulatedTransportStage _stage;
        private readonly TaskCompletionSource<EndPoint> _bound;
        private readonly Port _port;
        private IPEndPoint? _local;

        public Logic(SimulatedTransportStage stage, TaskCompletionSource<EndPoint> bound) : base(stage.Shape)
        {
            _stage = stage;
            _bound = bound;
            _port = new Port(stage._inboundCapacity);
            SetHandler(stage.ToSend, onPush: OnPush, onUpstreamFinish: () => { });
            SetHandler(stage.Received, onPull: PushQueued);
        }

        public override void PreStart()
        {
            try
            {
                _local = _stage._network.Bind(_stage._nodeId, _stage._port, _port);
            }
            catch (InvalidOperationException e)
            {
                _bound.TrySetException(e);
                FailStage(e);
                return;
            }

            _port.Open(GetAsyncCallback(PushQueued));
            Pull(_stage.ToSend);
            _bound.TrySetResult(_local);
        }

        public override void PostStop()
        {
            _port.Close();
            if (_local is not null)
                _stage._network.Unbind(_local, _port);
            _bound.TrySetException(new InvalidOperationException("The simulated transport stopped before it was bound."));
        }

        private void OnPush()
        {
            _stage._network.Send(_stage._nodeId, _local!, Grab(_stage.ToSend));
            Pull(_stage.ToSend);
        }

        private void PushQueued()
        {
            if (IsAvailable(_stage.Received) && _port.TryTake(out var datagram))
                Push(_stage.Received, datagram!);
        }
    }
}
