using System.Diagnostics;
using RobotBridge.Robots;

namespace RobotBridge.Control;

/// <summary>
/// The real-time clock for a physical robot: monotonic time since construction, and a hybrid wait
/// that sleeps while the deadline is far and spins for the last stretch, because an OS sleep
/// overshoots by tens of microseconds (more on a loaded machine) and a 500 Hz loop has 2 ms per cycle.
/// </summary>
/// <remarks>
/// <para>Sleeps are whole milliseconds (cancellable) while more than <see cref="CoarseSleepMargin"/> is
/// left, then one precise sleep (Linux <c>clock_nanosleep</c> on CLOCK_MONOTONIC, the clock
/// <see cref="Stopwatch"/> reads) to the start of the spin. Never a zero-length sleep in a loop: that is a
/// busy wait through <c>sched_yield</c>, and a SCHED_FIFO thread doing it at 500 Hz uses a whole core
/// until the kernel's RT throttling (<c>sched_rt_runtime_us</c>, 950 ms of every 1000 ms) parks it for the
/// remaining 50 ms of the second — measured here as ~1 late wake of ~50 ms per second.</para>
/// </remarks>
public sealed partial class WallClock : IRobotClock
{
    /// <summary>Above this much time before the spin, the wait sleeps in whole (cancellable) milliseconds;
    /// below it, one precise sleep.</summary>
    public static readonly TimeSpan CoarseSleepMargin = TimeSpan.FromMilliseconds(2);

    private readonly long _origin = Stopwatch.GetTimestamp();

    /// <param name="spinThreshold">Below this much remaining time the wait stops sleeping and spins.
    /// Larger = more CPU, less jitter. Default 0.2 ms (an idle Linux core wakes a precise sleep within
    /// ~0.1 ms); zero never spins (sleeps round up to whole milliseconds).</param>
    public WallClock(TimeSpan? spinThreshold = null)
    {
        SpinThreshold = spinThreshold ?? DefaultSpinThreshold;
        if (SpinThreshold < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(spinThreshold), spinThreshold, "spin threshold must not be negative");
        }
    }

    public static TimeSpan DefaultSpinThreshold { get; } = TimeSpan.FromMilliseconds(0.2);

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
                continue;
            }
            TimeSpan beforeSpin = remaining - SpinThreshold;
            if (beforeSpin <= TimeSpan.Zero)
            {
                Thread.SpinWait(20);
            }
            else if (beforeSpin > CoarseSleepMargin)
            {
                // Whole milliseconds, leaving at least a millisecond for the precise sleep; in slices, so
                // the wait stays cancellable.
                int ms = (int)Math.Min((beforeSpin - TimeSpan.FromMilliseconds(1)).TotalMilliseconds, 50);
                Sleep(ms, cancellationToken);
            }
            else
            {
                SleepPrecisely(beforeSpin);
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

    /// <summary>A sleep shorter than <see cref="CoarseSleepMargin"/>, to the microsecond where the OS can
    /// (not cancellable: it is that short).</summary>
    private static void SleepPrecisely(TimeSpan duration)
    {
        if (OperatingSystem.IsLinux())
        {
            var request = new TimeSpec { Seconds = duration.Ticks / TimeSpan.TicksPerSecond, Nanoseconds = duration.Ticks % TimeSpan.TicksPerSecond * 100 };
            // EINTR (a signal) only shortens the sleep; the caller's loop looks at the clock again.
            _ = ClockNanosleep(ClockMonotonic, 0, in request, IntPtr.Zero);
            return;
        }
        // Elsewhere whole milliseconds, and a yield below one (a busy wait there; the loop targets Linux).
        Thread.Sleep((int)duration.TotalMilliseconds);
    }

    private const int ClockMonotonic = 1;

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static partial int ClockNanosleep(int clock, int flags, in TimeSpec request, IntPtr remaining);
}
