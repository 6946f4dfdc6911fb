using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Stage;

namespace ScuttlebuttAkka.Transport;

/// <summary>
/// The graph stage behind <see cref="UdpFlow.Create(EndPoint, UdpFlowOptions?)"/>: each materialization binds its
/// own socket, sends what arrives on the inlet and emits what the socket receives on the outlet.
/// </summary>
internal sealed class UdpStage : GraphStageWithMaterializedValue<FlowShape<Datagram, Datagram>, Task<EndPoint>>
{
    /// <summary>The receive buffer holds any UDP payload (IPv4, or IPv6 without jumbograms), so nothing is truncated; size limits are the codec's call.</summary>
    internal const int ReceiveBufferLength = 65536;

    private static readonly IPEndPoint AnyV4 = new(IPAddress.Any, 0);
    private static readonly IPEndPoint AnyV6 = new(IPAddress.IPv6Any, 0);

    // A socket that keeps failing (no known cause, but it must not become a busy loop) is polled at this pace.
    private const int ErrorsBeforeBackoff = 10;
    private static readonly TimeSpan ErrorBackoff = TimeSpan.FromMilliseconds(100);

    private readonly IPEndPoint _bindEndPoint;
    private readonly UdpFlowOptions _options;
    private readonly UdpStageHooks? _hooks;

    /// <summary>Creates the stage; <paramref name="hooks"/> are for tests only.</summary>
    public UdpStage(IPEndPoint bindEndPoint, UdpFlowOptions options, UdpStageHooks? hooks = null)
    {
        _bindEndPoint = bindEndPoint;
        _options = options;
        _hooks = hooks;
        Shape = new FlowShape<Datagram, Datagram>(ToSend, Received);
    }

    /// <summary>Datagrams to send to their <see cref="Datagram.Remote"/>.</summary>
    public Inlet<Datagram> ToSend { get; } = new("udp.send");

    /// <summary>Datagrams received, each with its sender as <see cref="Datagram.Remote"/>.</summary>
    public Outlet<Datagram> Received { get; } = new("udp.receive");

    /// <inheritdoc />
    public override FlowShape<Datagram, Datagram> Shape { get; }

    /// <inheritdoc />
    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("udp");

    /// <inheritdoc />
    public override ILogicAndMaterializedValue<Task<EndPoint>> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var bound = new TaskCompletionSource<EndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        var counters = _options.Counters ?? inheritedAttributes.GetAttribute<TransportCountersAttribute>()?.Counters ?? new TransportCounters();
        return new LogicAndMaterializedValue<Task<EndPoint>>(new Logic(this, bound, counters), bound.Task);
    }

    /// <summary>
    /// Runs on the stream's actor except for <see cref="ReceiveOne"/>, which runs on the <see cref="SocketLoop"/> and
    /// talks to the stage only through the bounded <see cref="_inbound"/> queue and the async callbacks (when the stream
    /// itself runs on the io dispatcher, that is the same thread and a callback costs no wake-up).
    /// </summary>
    private sealed class Logic : GraphStageLogic
    {
        private readonly UdpStage _stage;
        private readonly TaskCompletionSource<EndPoint> _bound;
        private readonly TransportCounters _counters;
        private readonly ConcurrentQueue<Datagram> _inbound = new();

        private readonly SocketLoop _loop = SocketLoop.Shared;

        // Completes once the loop has stopped watching the socket and closed it.
        private readonly TaskCompletionSource _unregistered = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // Loop thread only: failed receives in a row.
        private int _consecutiveErrors;

        // PostStop takes this lock to set _stopped; the loop holds it while invoking a callback, so no callback can be
        // issued once the stage has stopped.
        private readonly object _gate = new();
        private bool _stopped;

        // Written by both threads: the socket loop counts up after enqueueing, the stage counts down after dequeueing, so
        // the count may briefly exceed the queue length but never falls below it, and the cap is never exceeded.
        private int _inboundCount;

        // 1 while a wake-up callback is on its way, so a burst costs the stage one message instead of one per datagram.
        private int _wakeUpPending;

        private Socket? _socket;
        private Action? _wakeUp;
        private Action<Exception>? _receiveLoopFailed;
        private ILoggingAdapter _log = NoLogger.Instance;

        public Logic(UdpStage stage, TaskCompletionSource<EndPoint> bound, TransportCounters counters) : base(stage.Shape)
        {
            _stage = stage;
            _bound = bound;
            _counters = counters;
            SetHandler(stage.ToSend, onPush: OnPush, onUpstreamFinish: OnUpstreamFinish);
            SetHandler(stage.Received, onPull: PushQueued);
        }

        public override void PreStart()
        {
            _log = Log;
            var endPoint = _stage._bindEndPoint;
            Socket socket;
            try
            {
                socket = OpenSocket(endPoint, _stage._options);
            }
            catch (SocketException e)
            {
                var failure = new UdpBindException(endPoint, e);
                _bound.TrySetException(failure);
                FailStage(failure);
                return;
            }

            _socket = socket;
            _wakeUp = GetAsyncCallback(OnWakeUp);
            _receiveLoopFailed = GetAsyncCallback<Exception>(OnReceiveLoopFailed);
            var local = socket.LocalEndPoint!;
            _log.Debug("UDP flow bound to {0} (receive buffer {1} B, send buffer {2} B)", local, socket.ReceiveBufferSize, socket.SendBufferSize);

            Pull(_stage.ToSend);
            _stage._hooks?.ReceiveLoopStarted?.Invoke(_unregistered.Task);
            _loop.Register(socket, () => ReceiveOne(socket));
            _bound.TrySetResult(local);
        }

        public override void PostStop()
        {
            lock (_gate)
                _stopped = true;
            if (_socket is { } socket)
            {
                // The loop may be reading this socket right now: it closes it once it has stopped watching it.
                _loop.Unregister(socket, () =>
                {
                    socket.Dispose();
                    _unregistered.TrySetResult();
                });
            }
            else
            {
                _unregistered.TrySetResult();
            }

            _inbound.Clear();
            // Only has an effect when the stage stopped before PreStart bound the socket.
            _bound.TrySetException(new InvalidOperationException("The UDP flow stopped before its socket was bound."));
        }

        private Socket OpenSocket(IPEndPoint endPoint, UdpFlowOptions options)
        {
            var socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                // Sends run on the stream's thread: a full send buffer must drop the datagram, not block the stream.
                socket.Blocking = false;
                TrySetBufferSizes(socket, options);
                socket.Bind(endPoint);
                return socket;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        // Buffer sizes are a wish: Linux silently caps them, macOS refuses sizes above its limit. Either way the
        // socket still works with the system's default, so a refusal is worth a warning, not a failed bind.
        private void TrySetBufferSizes(Socket socket, UdpFlowOptions options)
        {
            try
            {
                socket.ReceiveBufferSize = options.ReceiveBufferBytes;
            }
            catch (SocketException e)
            {
                _log.Warning("UDP flow keeps the system's receive buffer ({0} B): {1} B was refused ({2})", socket.ReceiveBufferSize, options.ReceiveBufferBytes, e.SocketErrorCode);
            }

            try
            {
                socket.SendBufferSize = options.SendBufferBytes;
            }
            catch (SocketException e)
            {
                _log.Warning("UDP flow keeps the system's send buffer ({0} B): {1} B was refused ({2})", socket.SendBufferSize, options.SendBufferBytes, e.SocketErrorCode);
            }
        }

        private void OnPush()
        {
            Send(Grab(_stage.ToSend));
            Pull(_stage.ToSend);
        }

        // Completing the inlet only means nothing more will be sent; receiving goes on until downstream cancels.
        private void OnUpstreamFinish() => _log.Debug("UDP flow: nothing more to send, still receiving");

        private void Send(Datagram datagram)
        {
            var payload = datagram.Payload;
            if (payload.Length > _stage._options.MaxDatagramBytes)
            {
                _counters.IncrementDroppedOversized();
                _log.Warning("UDP flow dropped a {0}-byte datagram to {1}: the limit is {2} bytes", payload.Length, datagram.Remote, _stage._options.MaxDatagramBytes);
                return;
            }

            try
            {
                _counters.AddSent(_socket!.SendTo(payload.Span, SocketFlags.None, datagram.Remote));
            }
            catch (SocketException e)
            {
                // Routine on a live network: full send buffer, unreachable host, an ICMP error reported on this call.
                _counters.IncrementSendErrors();
                if (_log.IsDebugEnabled)
                    _log.Debug("UDP send to {0} failed: {1} ({2})", datagram.Remote, e.SocketErrorCode, e.Message);
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException)
            {
                // A destination this socket cannot reach at all (other address family, unresolved name): a configuration
                // problem worth a warning, but not a reason to stop gossiping with everyone else.
                _counters.IncrementSendErrors();
                _log.Warning("UDP send to {0} is impossible from {1}: {2}", datagram.Remote, _socket!.LocalEndPoint, e.Message);
            }
        }

        private void OnWakeUp()
        {
            // Reset before draining: a datagram enqueued after this point raises a fresh wake-up.
            Interlocked.Exchange(ref _wakeUpPending, 0);
            if (IsAvailable(_stage.Received))
                PushQueued();
        }

        private void PushQueued()
        {
            if (!_inbound.TryDequeue(out var datagram))
                return;
            Interlocked.Decrement(ref _inboundCount);
            Push(_stage.Received, datagram);
        }

        private void OnReceiveLoopFailed(Exception e) => FailStage(e);

        // On the socket loop, whenever the socket is readable: reads one datagram; returns how long the loop should leave
        // the socket alone (a pause only after ten failures in a row, so a socket that keeps failing cannot spin).
        private TimeSpan ReceiveOne(Socket socket)
        {
            var buffer = _loop.ReceiveBuffer;
            int length;
            EndPoint sender;
            try
            {
                (length, sender) = (_stage._hooks?.Receive ?? ReceiveFromSocket)(socket, buffer);
            }
            catch (SocketException e)
            {
                _counters.IncrementReceiveErrors();
                if (_log.IsDebugEnabled)
                    _log.Debug("UDP receive failed: {0} ({1})", e.SocketErrorCode, e.Message);
                return ++_consecutiveErrors >= ErrorsBeforeBackoff ? ErrorBackoff : TimeSpan.Zero;
            }
            catch (ObjectDisposedException)
            {
                // Closed under the loop by someone else: the stage is stopping.
                return ErrorBackoff;
            }
            catch (Exception e)
            {
                // Not a network condition: a bug. Fail the stream rather than go deaf silently.
                Signal(() => _receiveLoopFailed!(e));
                return ErrorBackoff;
            }

            _consecutiveErrors = 0;
            // Copy: the buffer is shared by every socket on the loop while this datagram may sit in the queue.
            var payload = buffer.AsSpan(0, length).ToArray();
            _counters.AddReceived(payload.Length);
            Enqueue(new Datagram(payload, sender));
            return TimeSpan.Zero;
        }

        private static (int Length, EndPoint Sender) ReceiveFromSocket(Socket socket, byte[] buffer)
        {
            EndPoint sender = socket.AddressFamily == AddressFamily.InterNetworkV6 ? AnyV6 : AnyV4;
            var length = socket.ReceiveFrom(buffer, SocketFlags.None, ref sender);
            return (length, sender);
        }

        private void Enqueue(Datagram datagram)
        {
            if (Volatile.Read(ref _inboundCount) >= _stage._options.InboundBufferSize)
            {
                _counters.IncrementDroppedInboundOverflow();
                return;
            }

            _inbound.Enqueue(datagram);
            Interlocked.Increment(ref _inboundCount);
            if (Interlocked.Exchange(ref _wakeUpPending, 1) == 0)
                Signal(_wakeUp!);
        }

        private void Signal(Action callback)
        {
            lock (_gate)
            {
                if (!_stopped)
                    callback();
            }
        }
    }
}
