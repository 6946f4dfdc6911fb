using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Akka.Dispatch;

namespace ScuttlebuttAkka.Transport;

/// <summary>
/// One thread that waits for the UDP sockets of the process to become readable and runs, in between, the work handed to
/// it: the mailboxes of the actors on the io dispatcher (see <see cref="IoDispatcher"/>), callbacks and periodic timers. A
/// datagram that one node sends to another node of the same process is read and processed by this thread without any
/// other thread waking up; a datagram from another process costs one wake-up, after which the receive, the gossiper's
/// work and the reply's send all happen here. On the .NET thread pool the same path crosses three or four work items,
/// and each wake-up of a pool worker ends in a spin before it sleeps again: at idle that spinning was most of the CPU a
/// node cost (docs/architecture.md, "Threads and idle CPU").
/// </summary>
/// <remarks>
/// Everything but <see cref="Execute(IRunnable)"/>, <see cref="Post"/>, <see cref="Every"/>,
/// <see cref="Register"/>, <see cref="Unregister"/> and <see cref="Dispose"/> runs on the loop's thread only, so the loop's state needs no lock.
/// Work must not block: a blocked loop stalls every socket and actor on it. A callback or work item that throws is
/// counted (<see cref="Faults"/>), traced, and the loop goes on.
/// </remarks>
internal sealed class SocketLoop : IDisposable
{
    // Posted work runs in batches of at most this many items between two looks at the sockets, so a flood of work
    // cannot starve receiving (and the other way round: each readable socket gives one datagram per pass).
    private const int MaxWorkPerPass = 1024;

    // With the UDP wake-up channel (no Unix domain sockets) a wake-up could be lost to a firewall rule: the loop then
    // never waits longer than this, so a lost wake-up delays work by at most this much instead of stalling it.
    private const long UnreliableWakeWaitMs = 100;

    // How long a socket whose callback threw is left alone.
    private static readonly TimeSpan FaultPause = TimeSpan.FromSeconds(1);

    private static readonly double MicrosPerTimestampTick = 1_000_000.0 / Stopwatch.Frequency;

    private static readonly Lazy<SocketLoop> SharedLoop = new(() => new SocketLoop("scuttlebutt-io"), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Thread _thread;
    private readonly ConcurrentQueue<IRunnable> _work = new();
    private readonly Socket _wakeReceiver;
    private readonly Socket _wakeSender;
    private readonly long _waitBoundMs;
    private readonly byte[] _wakeBuffer = new byte[64];
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Loop thread only.
    private readonly Dictionary<Socket, Registration> _sockets = new();
    private readonly List<Socket> _readable = new();
    private readonly PriorityQueue<IRunnable, long> _timers = new(); // by due instant, in NowMicros
    private bool _stopping;

    // 1 while the loop is about to wait or waiting in Select with nothing posted: the next poster from another thread
    // wakes it with a byte on the wake channel, and only that poster.
    private int _sleeping;
    private long _faults;

    /// <summary>Starts a loop on a new background thread named <paramref name="threadName"/>.</summary>
    public SocketLoop(string threadName)
    {
        (_wakeReceiver, _wakeSender, var reliable) = OpenWakePair();
        _waitBoundMs = reliable ? long.MaxValue : UnreliableWakeWaitMs;
        _thread = new Thread(Run) { IsBackground = true, Name = threadName };
        _thread.Start();
    }

    /// <summary>The loop every UDP stage and io-dispatcher actor of this process shares, started on first use and never stopped (its thread is a background thread).</summary>
    public static SocketLoop Shared => SharedLoop.Value;

    /// <summary>Work items and callbacks that threw (each was traced); the loop carried on after each.</summary>
    public long Faults => Interlocked.Read(ref _faults);

    /// <summary>Completes when the loop's thread has ended (after <see cref="Dispose"/>).</summary>
    public Task Stopped => _stopped.Task;

    /// <summary>
    /// The buffer socket callbacks receive into (loop thread only): one for the process rather than one per socket. It
    /// holds any UDP payload (IPv4, or IPv6 without jumbograms), so nothing is truncated; size limits are the codec's call.
    /// </summary>
    public byte[] ReceiveBuffer { get; } = new byte[UdpStage.ReceiveBufferLength];

    /// <summary>True when wake-ups travel over Unix domain sockets, which no firewall rule can drop (every current Linux, macOS and Windows); false on the bounded-wait UDP fallback.</summary>
    public bool WakesReliably => _waitBoundMs == long.MaxValue;

    /// <summary>True on the loop's own thread.</summary>
    public bool IsLoopThread => Thread.CurrentThread == _thread;

    /// <summary>Runs <paramref name="run"/> on the loop, after the work posted before it by the same thread.</summary>
    public void Execute(IRunnable run)
    {
        ArgumentNullException.ThrowIfNull(run);
        _work.Enqueue(run);
        if (!IsLoopThread && Volatile.Read(ref _sleeping) == 1 && Interlocked.Exchange(ref _sleeping, 0) == 1)
            Wake();
    }

    /// <summary>Runs <paramref name="action"/> on the loop.</summary>
    public void Post(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        Execute(new ActionRunnable(action));
    }

    /// <summary>
    /// Runs <paramref name="action"/> on the loop every <paramref name="interval"/>, the first time one interval from
    /// now, until the returned handle is disposed (after which it never runs again). Each run comes on the loop's 10 ms
    /// timer grid, up to 10 ms after its nominal time, as with Akka's scheduler. The rate is fixed: a run that
    /// comes late does not push the later ones back, and runs missed while the loop was stalled are skipped, not
    /// made up in a burst.
    /// </summary>
    public IDisposable Every(TimeSpan interval, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        var timer = new PeriodicTimer(this, ToMicros(interval), action, NowMicros());
        Post(timer.Arm);
        return timer;
    }

    /// <summary>
    /// Watches <paramref name="socket"/> from the next pass on: whenever it is readable, <paramref name="onReadable"/>
    /// runs on the loop, and should read one datagram. It returns how long to leave the socket alone before watching it
    /// again (<see cref="TimeSpan.Zero"/> for at once), so a socket that keeps failing cannot make the loop spin.
    /// </summary>
    public void Register(Socket socket, Func<TimeSpan> onReadable)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(onReadable);
        Post(() => _sockets[socket] = new Registration(onReadable));
    }

    /// <summary>Stops watching <paramref name="socket"/>, then runs <paramref name="then"/> on the loop; no callback for the socket runs after that.</summary>
    public void Unregister(Socket socket, Action? then = null)
    {
        ArgumentNullException.ThrowIfNull(socket);
        Post(() =>
        {
            _sockets.Remove(socket);
            then?.Invoke();
        });
    }

    /// <summary>Stops the loop after the work already posted; sockets still registered are left open (their owners close them).</summary>
    public void Dispose()
    {
        if (IsLoopThread)
            throw new InvalidOperationException("A socket loop cannot be disposed from its own thread.");
        Post(() => _stopping = true);
        _thread.Join();
        _wakeReceiver.Dispose();
        _wakeSender.Dispose();
    }

    private void Run()
    {
        try
        {
            while (!_stopping)
            {
                try
                {
                    Pass();
                }
                catch (Exception e)
                {
                    // Select itself failed (no known cause but a socket closed while still registered): drop the
                    // closed sockets and carry on; a dead loop would silence every node of the process.
                    Fault(e, "waiting for sockets");
                    PruneClosed();
                }
            }
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    private void Pass()
    {
        for (var i = 0; i < MaxWorkPerPass && _work.TryDequeue(out var run); i++)
            RunSafely(run);

        var now = NowMicros();
        while (_timers.TryPeek(out var timer, out var due) && due <= now)
        {
            _timers.Dequeue();
            RunSafely(timer);
        }

        if (_stopping)
            return;

        var nextDue = _timers.TryPeek(out _, out var firstTimer) ? firstTimer : long.MaxValue;
        if (_waitBoundMs != long.MaxValue)
            nextDue = Math.Min(nextDue, now + (_waitBoundMs * 1000));
        _readable.Clear();
        _readable.Add(_wakeReceiver);
        foreach (var (socket, registration) in _sockets)
        {
            if (registration.ResumeAt <= now)
                _readable.Add(socket);
            else
                nextDue = Math.Min(nextDue, registration.ResumeAt);
        }

        var timeoutMicros = 0;
        if (_work.IsEmpty)
        {
            Interlocked.Exchange(ref _sleeping, 1);
            // Posted between the check above and the flag: the poster saw no flag and will not wake us, so look now.
            if (_work.IsEmpty)
                timeoutMicros = nextDue == long.MaxValue ? -1 : WholeMilliseconds(nextDue - now);
        }

        Socket.Select(_readable, null, null, timeoutMicros);
        Interlocked.Exchange(ref _sleeping, 0);

        foreach (var socket in _readable)
        {
            if (socket == _wakeReceiver)
                DrainWakeSocket();
            else if (_sockets.TryGetValue(socket, out var registration))
                OnReadable(registration);
        }
    }

    private void OnReadable(Registration registration)
    {
        TimeSpan pause;
        try
        {
            pause = registration.OnReadable();
        }
        catch (Exception e)
        {
            // A bug; if the callback threw before reading, the socket is still readable: do not spin on it.
            Fault(e, "a socket callback");
            pause = FaultPause;
        }

        registration.ResumeAt = pause <= TimeSpan.Zero ? 0 : NowMicros() + ToMicros(pause);
    }

    private void RunSafely(IRunnable run)
    {
        try
        {
            run.Run();
        }
        catch (Exception e)
        {
            Fault(e, "a work item");
        }
    }

    private void Fault(Exception e, string what)
    {
        Interlocked.Increment(ref _faults);
        Trace.TraceError("Scuttlebutt socket loop {0}: {1} threw {2}", _thread.Name, what, e);
    }

    private void PruneClosed()
    {
        foreach (var socket in _sockets.Keys.Where(s => s.SafeHandle.IsClosed).ToArray())
            _sockets.Remove(socket);
    }

    private void Wake()
    {
        try
        {
            _wakeSender.Send(_wakeBuffer.AsSpan(0, 1), SocketFlags.None);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // A full wake channel already holds a wake-up; a disposed one belongs to a stopped loop.
        }
    }

    private void DrainWakeSocket()
    {
        try
        {
            // With the UDP channel anyone on this machine may send to the wake port: whatever arrives only wakes the loop.
            while (_wakeReceiver.Available > 0)
                _wakeReceiver.Receive(_wakeBuffer);
        }
        catch (SocketException)
        {
            // An error queued on the socket is consumed by the failed receive; the next pass polls it afresh.
        }
    }

    // The wake-up channel: a connected pair of Unix domain stream sockets, which no firewall sees (a loopback UDP
    // datagram can be dropped by a netfilter rule on the input hook, and a lost wake-up would stall the loop); a loopback
    // UDP pair only where Unix domain sockets are not supported, with the wait then bounded (UnreliableWakeWaitMs).
    private static (Socket Receiver, Socket Sender, bool Reliable) OpenWakePair()
    {
        try
        {
            return OpenUnixPair();
        }
        catch (Exception e) when (e is SocketException or IOException or NotSupportedException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            return OpenUdpPair();
        }
    }

    private static (Socket Receiver, Socket Sender, bool Reliable) OpenUnixPair()
    {
        // Short, so that it fits sun_path (104 bytes on macOS) under a long temporary directory; removed once connected.
        var path = Path.Combine(Path.GetTempPath(), $"sb-{Guid.NewGuid():N}.sock");
        var endPoint = new UnixDomainSocketEndPoint(path);
        var sender = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            using (var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            {
                listener.Bind(endPoint);
                try
                {
                    listener.Listen(1);
                    sender.Connect(endPoint);
                    var receiver = listener.Accept();
                    receiver.Blocking = false;
                    sender.Blocking = false;
                    return (receiver, sender, true);
                }
                finally
                {
                    File.Delete(path);
                }
            }
        }
        catch
        {
            sender.Dispose();
            throw;
        }
    }

    private static (Socket Receiver, Socket Sender, bool Reliable) OpenUdpPair()
    {
        var address = Socket.OSSupportsIPv4 ? IPAddress.Loopback : IPAddress.IPv6Loopback;
        var receiver = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        var sender = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            receiver.Bind(new IPEndPoint(address, 0));
            sender.Connect(receiver.LocalEndPoint!);
            receiver.Blocking = false;
            sender.Blocking = false;
            return (receiver, sender, false);
        }
        catch
        {
            receiver.Dispose();
            sender.Dispose();
            throw;
        }
    }

    // A monotonic clock in microseconds (Environment.TickCount64 can be as coarse as 4 ms on Linux).
    private static long NowMicros() => (long)(Stopwatch.GetTimestamp() * MicrosPerTimestampTick);

    // Timers fire on a grid of this step, like the 10 ms tick of Akka's scheduler they replace: the rounds of many
    // nodes in one process then share a wake-up of the loop instead of each costing one (each wait polls every socket).
    private const long TimerGridMicros = 10_000;

    private static long Coarsen(long dueMicros) => (dueMicros + TimerGridMicros - 1) / TimerGridMicros * TimerGridMicros;

    // Select waits in whole milliseconds on Unix (poll), truncating: 999 µs would be 0, a busy wait. Rounded up, a
    // timer runs at most a millisecond late instead.
    private static int WholeMilliseconds(long micros) => (int)Math.Clamp((micros + 999) / 1000 * 1000, 0, int.MaxValue / 1000 * 1000);

    private static long ToMicros(TimeSpan span) => (long)Math.Ceiling(span.Ticks / (double)TimeSpan.TicksPerMicrosecond);

    private sealed class PeriodicTimer(SocketLoop loop, long intervalMicros, Action action, long startMicros) : IRunnable, IDisposable
    {
        private long _due = startMicros;
        private volatile bool _disposed;

        public void Dispose() => _disposed = true;

        // Loop thread only.
        public void Arm()
        {
            if (_disposed)
                return;
            var now = NowMicros();
            _due += intervalMicros;
            if (_due <= now)
                _due = now + intervalMicros - ((now - _due) % intervalMicros);
            loop._timers.Enqueue(this, Coarsen(_due));
        }

        public void Run()
        {
            if (_disposed)
                return;
            try
            {
                action();
            }
            finally
            {
                Arm();
            }
        }

        // Akka's IRunnable is also a thread-pool work item; the loop only ever calls Run.
        public void Execute() => Run();
    }

    private sealed class Registration(Func<TimeSpan> onReadable)
    {
        public Func<TimeSpan> OnReadable { get; } = onReadable;

        // The instant (NowMicros) before which the socket is not watched; 0 = watched.
        public long ResumeAt { get; set; }
    }
}
