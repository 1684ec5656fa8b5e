namespace RobotBridge.Control;

/// <summary>
/// A one-slot mailbox that always holds the newest value: producers (network, render, camera
/// threads) overwrite, the consumer (the control loop) takes the latest and never waits. Lock-free.
/// A value that is overwritten before anyone took it goes to <c>dropped</c> (e.g. to dispose a
/// pooled camera frame), so nothing leaks.
/// </summary>
public sealed class LatestValueMailbox<T> where T : class
{
    private T? _value;
    private long _posted;
    private long _dropped;
    private readonly Action<T>? _onDropped;

    /// <param name="onDropped">Called (on the posting thread) with a value that was replaced before
    /// it was taken, and with the leftover value on <see cref="Clear"/>.</param>
    public LatestValueMailbox(Action<T>? onDropped = null) => _onDropped = onDropped;

    /// <summary>Values ever posted.</summary>
    public long Posted => Interlocked.Read(ref _posted);

    /// <summary>Values overwritten before they were taken.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Stores <paramref name="value"/> as the latest; never blocks.</summary>
    public void Post(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Interlocked.Increment(ref _posted);
        T? previous = Interlocked.Exchange(ref _value, value);
        if (previous is not null)
        {
            Interlocked.Increment(ref _dropped);
            _onDropped?.Invoke(previous);
        }
    }

    /// <summary>Takes the latest value if one arrived since the last take; the caller owns it.</summary>
    public bool TryTake(out T value)
    {
        T? taken = Interlocked.Exchange(ref _value, null);
        value = taken!;
        return taken is not null;
    }

    /// <summary>Drops whatever is waiting (through <c>onDropped</c>).</summary>
    public void Clear()
    {
        if (Interlocked.Exchange(ref _value, null) is { } left)
        {
            _onDropped?.Invoke(left);
        }
    }
}
