namespace ScuttlebuttAkka.Actors;

/// <summary>
/// The credit between an <see cref="InboxSink{T}"/> and the actor it feeds: how many elements were told to the actor
/// and not yet processed. The sink takes a credit per element; the actor returns it with <see cref="Processed"/>.
/// Safe between the stream's thread and the actor's.
/// </summary>
internal sealed class InboundWindow
{
    private int _inFlight;

    // 1 while the sink has stopped pulling for want of room; whoever clears it first makes the sink pull again.
    private int _stalled;
    private Action? _resume;

    /// <summary>Creates a window of <paramref name="size"/> elements.</summary>
    public InboundWindow(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        Size = size;
    }

    /// <summary>At most this many elements wait in the actor's mailbox.</summary>
    public int Size { get; }

    /// <summary>Elements told and not yet processed (for tests and diagnostics).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Called by the actor once per element it has processed.</summary>
    public void Processed()
    {
        if (Interlocked.Decrement(ref _inFlight) < Size && Volatile.Read(ref _stalled) == 1 && Interlocked.Exchange(ref _stalled, 0) == 1)
            _resume?.Invoke();
    }

    /// <summary>The sink's side: sets the callback that makes it pull again (delivered on the stream's thread).</summary>
    internal void Attach(Action resume) => _resume = resume;

    /// <summary>The sink's side, after telling an element: true when there is room for the next one.</summary>
    internal bool TakeAndHasRoom()
    {
        if (Interlocked.Increment(ref _inFlight) < Size)
            return true;
        Volatile.Write(ref _stalled, 1);
        // The actor may have made room between the increment and the flag: then nobody else will resume the sink.
        return Volatile.Read(ref _inFlight) < Size && Interlocked.Exchange(ref _stalled, 0) == 1;
    }
}
