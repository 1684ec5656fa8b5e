using System.Diagnostics;
using RobotBridge.Robots;

namespace RobotBridge.Control;

/// <summary>What a <see cref="FixedRateScheduler"/> does with ticks whose time passed while a tick ran late.</summary>
public enum MissedTickPolicy
{
    /// <summary>Drop them and realign to the grid: the next tick is the first grid point still ahead
    /// (a control loop: a late command is worse than none).</summary>
    Skip,
    /// <summary>Run them back to back until caught up, unless more than
    /// <see cref="FixedRateSchedulerOptions.CatchUpLimit"/> are owed, then realign (a publisher whose
    /// subscribers count messages).</summary>
    CatchUp,
}

/// <summary>Settings of a <see cref="FixedRateScheduler"/>.</summary>
public sealed record FixedRateSchedulerOptions
{
    public MissedTickPolicy MissedTicks { get; init; } = MissedTickPolicy.Skip;

    /// <summary>With <see cref="MissedTickPolicy.CatchUp"/>: the most ticks owed that are still run back
    /// to back; more than this and the scheduler realigns instead of bursting.</summary>
    public int CatchUpLimit { get; init; } = 10;

    /// <summary>Samples kept per timing series.</summary>
    public int TimingCapacity { get; init; } = 1 << 16;
}

/// <summary>
/// The one owner of time for every fixed-rate loop (the control loop, the served robot node, the teleop
/// tick): a grid of tick times at a fixed period on a clock, the deadline of each tick, what happens to
/// missed ticks, and the timing series of what really happened. Nothing else in RobotBridge paces a
/// loop with its own sleep (a test scans the sources for that).
/// </summary>
/// <remarks>
/// <para>One tick: <see cref="BeginTick"/> (records the wake), the caller's work, <see cref="Complete"/>
/// (judges the deadline, advances the grid), <see cref="WaitForNext"/> (waits on the clock: on a
/// virtual clock that steps the twin, on a <see cref="WallClock"/> it sleeps). <see cref="Run"/> does
/// all three until cancelled.</para>
/// <para>Deadline: a tick whose work takes longer than one period missed it. On a virtual clock the
/// work is measured on the wall clock (what a real robot would have suffered), on a wall clock as the
/// clock time from the tick's grid point to the end of its work.</para>
/// <para>Late wake: a tick that starts more than half a period after its grid point (on a wall clock,
/// the OS woke the loop late); counted in <see cref="LateWakes"/>.</para>
/// <para>Single-threaded: one loop thread calls the tick methods; the counters and series may be read
/// from any thread.</para>
/// </remarks>
public sealed class FixedRateScheduler
{
    private readonly IRobotClock _clock;
    private readonly FixedRateSchedulerOptions _options;
    private TimeSpan? _next;
    private TimeSpan? _previousStart;
    private TimeSpan _tickStart;
    private long _wallStart;
    private long _ticks, _misses, _lateWakes, _skipped;

    public FixedRateScheduler(IRobotClock clock, TimeSpan period, FixedRateSchedulerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(clock);
        if (period <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "the period of a fixed-rate loop must be positive");
        }
        _options = options ?? new FixedRateSchedulerOptions();
        if (_options.CatchUpLimit < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.CatchUpLimit, "CatchUpLimit must not be negative");
        }
        _clock = clock;
        Period = period;
        Jitter = new TimingSeries(_options.TimingCapacity);
        Interval = new TimingSeries(_options.TimingCapacity);
    }

    public IRobotClock Clock => _clock;

    public TimeSpan Period { get; }

    /// <summary>|tick start − its grid point| (ms).</summary>
    public TimingSeries Jitter { get; }

    /// <summary>Time between successive tick starts (ms).</summary>
    public TimingSeries Interval { get; }

    public long Ticks => Interlocked.Read(ref _ticks);

    /// <summary>Ticks whose work overran the period.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Ticks that started more than half a period after their grid point.</summary>
    public long LateWakes => Interlocked.Read(ref _lateWakes);

    /// <summary>Grid points dropped by <see cref="MissedTickPolicy.Skip"/> (or beyond the catch-up limit).</summary>
    public long SkippedTicks => Interlocked.Read(ref _skipped);

    /// <summary>Misses in a row up to the last completed tick (0 after a tick on time).</summary>
    public int ConsecutiveMisses { get; private set; }

    /// <summary>Grid point of the next tick, once the first tick began.</summary>
    public TimeSpan? NextTick => _next;

    /// <summary>Grid point of the tick begun last (its start time on the grid, without the wake's lateness).</summary>
    public TimeSpan TickGridPoint { get; private set; }

    /// <summary>Starts a tick: the first tick anchors the grid at the clock's time now. Returns the
    /// tick's start on the clock.</summary>
    public TimeSpan BeginTick()
    {
        _tickStart = _clock.Now;
        _wallStart = Stopwatch.GetTimestamp();
        _next ??= _tickStart;
        TickGridPoint = _next.Value;
        TimeSpan lag = _tickStart - _next.Value;
        Jitter.Add(Math.Abs(lag.TotalMilliseconds));
        if (lag > Period / 2)
        {
            Interlocked.Increment(ref _lateWakes);
        }
        if (_previousStart is { } previous)
        {
            Interval.Add((_tickStart - previous).TotalMilliseconds);
        }
        _previousStart = _tickStart;
        return _tickStart;
    }

    /// <summary>Ends the tick's work: judges its deadline and moves the grid on to the next tick.
    /// Returns true when the tick missed its deadline.</summary>
    public bool Complete()
    {
        if (_next is not { } grid)
        {
            throw new InvalidOperationException("Complete() before BeginTick()");
        }
        Interlocked.Increment(ref _ticks);
        TimeSpan work = _clock.IsVirtual ? Stopwatch.GetElapsedTime(_wallStart) : _clock.Now - grid;
        bool missed = work > Period;
        if (missed)
        {
            Interlocked.Increment(ref _misses);
            ConsecutiveMisses++;
        }
        else
        {
            ConsecutiveMisses = 0;
        }
        TimeSpan next = grid + Period;
        if (!_clock.IsVirtual && _clock.Now > next)
        {
            long owed = (long)Math.Ceiling((_clock.Now - next) / Period);
            if (_options.MissedTicks == MissedTickPolicy.Skip || owed > _options.CatchUpLimit)
            {
                // Late: drop the owed ticks and stay on the grid rather than running them back to back.
                next += owed * Period;
                Interlocked.Add(ref _skipped, owed);
            }
        }
        _next = next;
        return missed;
    }

    /// <summary>Waits on the clock until the next tick's grid point (steps a virtual clock).</summary>
    public void WaitForNext(CancellationToken cancellationToken = default)
    {
        if (_next is not { } next)
        {
            throw new InvalidOperationException("WaitForNext() before the first tick");
        }
        _clock.WaitUntil(next, cancellationToken);
    }

    /// <summary>Runs <paramref name="tick"/> on the grid until <paramref name="cancellationToken"/> is
    /// cancelled. The tick handles its own faults: an exception from it ends the loop.</summary>
    public void Run(Action tick, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tick);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                BeginTick();
                tick();
                Complete();
                WaitForNext(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Starts counting consecutive misses afresh (after the caller acted on a run of them).</summary>
    public void ForgiveMisses() => ConsecutiveMisses = 0;

    /// <summary>Realigns the grid to start at the next <see cref="BeginTick"/> (after a pause).</summary>
    public void Restart()
    {
        _next = null;
        _previousStart = null;
        ConsecutiveMisses = 0;
    }
}
