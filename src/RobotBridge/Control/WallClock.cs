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
    /// Larger = more CPU, less jitter. Default 1 ms (a Linux 1 ms sleep rarely overshoots by more);
    /// zero never spins (sleeps round up to whole milliseconds).</param>
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
            if (SpinThreshold == TimeSpan.Zero)
            {
                // No spinning at all (loops that can afford a millisecond of lateness): round the sleep
                // up, so the last fraction of a millisecond is not a busy wait.
                Sleep((int)Math.Ceiling(Math.Min(remaining.TotalMilliseconds, 50)), cancellationToken);
            }
            else if (remaining > SpinThreshold)
            {
                // Sleep whole milliseconds only; the spin covers the rest. Sleeping in slices also
                // keeps the wait cancellable.
                int ms = (int)Math.Min((remaining - SpinThreshold).TotalMilliseconds, 50);
                Sleep(Math.Max(ms, 0), cancellationToken);
            }
            else
            {
                Thread.SpinWait(20);
            }
        }
    }

    /// <summary>Sleeps, waking at once when the token is cancelled (a loop being stopped must not wait
    /// out its period).</summary>
    private static void Sleep(int milliseconds, CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            cancellationToken.WaitHandle.WaitOne(milliseconds);
        }
        else
        {
            Thread.Sleep(milliseconds);
        }
    }
}
