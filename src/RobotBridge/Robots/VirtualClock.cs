namespace RobotBridge.Robots;

/// <summary>
/// A clock that moves only when someone waits on it (or <see cref="Advance"/>s it): the lockstep time of
/// a body without physics (<see cref="FakeRobot"/>). Waiting jumps straight to the requested time.
/// Thread-safe.
/// </summary>
public sealed class VirtualClock : IRobotClock
{
    private long _ticks;

    public TimeSpan Now => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

    public bool IsVirtual => true;

    public void WaitUntil(TimeSpan time, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        long target = time.Ticks;
        long seen = Interlocked.Read(ref _ticks);
        while (target > seen)
        {
            long was = Interlocked.CompareExchange(ref _ticks, target, seen);
            if (was == seen)
            {
                return;
            }
            seen = was;
        }
    }

    /// <summary>Moves the clock on by <paramref name="by"/> (not backwards).</summary>
    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(by), by, "a clock does not go back");
        }
        Interlocked.Add(ref _ticks, by.Ticks);
    }
}
