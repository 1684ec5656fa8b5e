using System.Diagnostics;
using RobotBridge.Robots;

namespace RobotBridge.Control;

/// <summary>
/// The real-time clock for a physical robot: monotonic time since construction, and a hybrid wait
/// that sleeps while the deadline is far and spins for the last stretch, because the OS sleep
/// overshoots by tens to hundreds of microseconds and a 500 Hz loop has 2 ms per cycle.
/// </summary>
public sealed class WallClock : IRobotClock
{
    private readonly long _origin = Stopwatch.GetTimestamp();

    /// <param name="spinThreshold">Below this much remaining time the wait stops sleeping and spins.
    /// Larger = more CPU, less jitter. Default 1 ms (a Linux 1 ms sleep rarely overshoots by more).</param>
    public WallClock(TimeSpan? spinThreshold = null)
    {
        SpinThreshold = spinThreshold ?? TimeSpan.FromMilliseconds(1);
        if (SpinThreshold < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(spinThreshold), spinThreshold, "spin threshold must not be negative");
        }
    }

    public TimeSpan SpinThreshold { get; }

    public TimeSpan Now => Stopwatch.GetElapsedTime(_origin);

    public bool IsVirtual => false;

    public void WaitUntil(TimeSpan time, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TimeSpan remaining = time - Now;
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }
            if (remaining > SpinThreshold)
            {
                // Sleep whole milliseconds only; the spin covers the rest. Sleeping in slices also
                // keeps the wait cancellable.
                int ms = (int)Math.Min((remaining - SpinThreshold).TotalMilliseconds, 50);
                Thread.Sleep(Math.Max(ms, 0));
            }
            else
            {
                Thread.SpinWait(20);
            }
        }
    }
}
