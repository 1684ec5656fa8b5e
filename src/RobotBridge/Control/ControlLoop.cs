using System.Diagnostics;
using RobotBridge.Robots;
using RobotBridge.Safety;

namespace RobotBridge.Control;

/// <summary>
/// The fixed-rate control loop, one for both bodies. Each cycle: safety monitor → observe (joint
/// state, latest camera frame) → infer (policy) → command (through the guard's supervised robot) → wait for the
/// next tick on the robot's clock. On a virtual clock the wait steps the twin (lockstep, as fast as
/// the CPU allows); on a <see cref="WallClock"/> it is a hybrid sleep-then-spin wait.
/// </summary>
/// <remarks>
/// <para>Run it synchronously with <see cref="RunCycle"/>/<see cref="RunCycles"/> (a Gym step in
/// lockstep is one cycle), or on a dedicated thread with <see cref="Start"/>/<see cref="Stop"/>.</para>
/// <para>Faults: an exception in any stage (policy, codec, callback, robot) is counted, logged, and
/// ends in a safe stop — through the <see cref="ISafetyGuard"/> the loop was given, else
/// <see cref="IRobot.Stop"/> and no more commands until <see cref="ClearFault"/>. The loop itself keeps running, so monitoring never dies.</para>
/// <para>Deadlines: a cycle whose work takes longer than one period is a miss (on a virtual clock
/// the work is measured on the wall clock: what the real robot would have suffered). See
/// <see cref="DeadlineMissPolicy"/>; the loop always realigns to its fixed grid instead of
/// running late cycles back to back.</para>
/// </remarks>
public sealed class ControlLoop : IDisposable
{
    private readonly IRobot _robot;
    private readonly ISafetyGuard? _guard;
    private readonly IControlCycle _cycle;
    private readonly ControlLoopOptions _options;
    private readonly TimeSpan _period;
    private readonly CycleObservation _observation = new();
    private readonly CameraIngest? _cameraIngest;
    private CameraFrame? _currentFrame;
    private readonly FixedRateScheduler _scheduler;
    private volatile bool _faulted;
    private Thread? _thread;
    private CancellationTokenSource? _stop;
    private volatile string? _lastFault;
    // The grid point of the last cycle whose checks and command are done, for threads that wait on the
    // loop's ticks (an env stepping at its own rate over a loop on its own thread).
    private readonly object _cycleGate = new();
    private long _completedGridTicks = long.MinValue;
    // Stage delegates built once: a lambda per cycle would allocate, and allocation means GC pauses.
    private readonly Action _monitorStage;
    private readonly Action _observeStage;
    private readonly Action _inferStage;
    private readonly Action _commandStage;

    /// <summary>A loop in front of a safety guard: it drives the guard's supervised robot, runs the
    /// guard's <see cref="ISafetyGuard.Monitor"/> every cycle and reports its faults to the guard.</summary>
    public ControlLoop(ISafetyGuard guard, IControlCycle cycle, ControlLoopOptions? options = null)
        : this(guard?.Robot!, cycle, options, guard ?? throw new ArgumentNullException(nameof(guard)))
    {
    }

    /// <param name="robot">The robot to drive.</param>
    /// <param name="guard">The safety guard in front of <paramref name="robot"/>, or null for a robot
    /// without one (a fault then stops the robot and holds the loop faulted).</param>
    public ControlLoop(IRobot robot, IControlCycle cycle, ControlLoopOptions? options = null, ISafetyGuard? guard = null)
    {
        ArgumentNullException.ThrowIfNull(robot);
        ArgumentNullException.ThrowIfNull(cycle);
        _options = options ?? new ControlLoopOptions();
        _options.Validate();
        _robot = robot;
        _guard = guard;
        _cycle = cycle;
        _period = _options.Period;
        _scheduler = new FixedRateScheduler(robot.Clock, _period, new FixedRateSchedulerOptions { TimingCapacity = _options.TimingCapacity });
        Timing = new LoopTiming(_scheduler, _options.TimingCapacity);
        _monitorStage = () => _guard?.Monitor();
        _observeStage = Observe;
        _inferStage = () => _cycle.Infer(_observation);
        _commandStage = () => _cycle.Command(_robot);
        if (_options.Camera == CameraIngestMode.Thread)
        {
            _cameraIngest = new CameraIngest(robot, _options.CameraPollInterval);
            _cameraIngest.Start();
        }
    }

    public LoopTiming Timing { get; }

    /// <summary>The loop's grid, deadlines and wake counters.</summary>
    public FixedRateScheduler Scheduler => _scheduler;

    /// <summary>The observation of the last cycle (owned by the loop).</summary>
    public CycleObservation Observation => _observation;

    public TimeSpan Period => _period;

    /// <summary>True after a fault on a robot without a guard, until <see cref="ClearFault"/>.</summary>
    public bool IsFaulted => _faulted;

    /// <summary>Description of the most recent fault, or null.</summary>
    public string? LastFault => _lastFault;

    /// <summary>How the loop thread is scheduled (set once the thread runs).</summary>
    public string SchedulingNote { get; private set; } = "normal scheduling";

    public bool IsRunning => _thread is { IsAlive: true };

    /// <summary>Lets commands through again after a fault on a robot without a guard (with a guard,
    /// resetting its latch is what re-enables motion).</summary>
    public void ClearFault() => _faulted = false;

    /// <summary>Runs <paramref name="count"/> cycles on the calling thread.</summary>
    public void RunCycles(long count, CancellationToken cancellationToken = default)
    {
        for (long i = 0; i < count && !cancellationToken.IsCancellationRequested; i++)
        {
            RunCycle(cancellationToken);
        }
    }

    /// <summary>One cycle: monitor, observe, infer, command, then wait until the next tick.</summary>
    public void RunCycle(CancellationToken cancellationToken = default)
    {
        TimeSpan start = _scheduler.BeginTick();
        TimeSpan gridPoint = _scheduler.TickGridPoint;
        long wallStart = Stopwatch.GetTimestamp();
        _observation.Cycle = Timing.Cycles;
        _observation.Time = start;

        Guard("monitor", _monitorStage);
        bool observed = Guard("observe", _observeStage);
        long afterObserve = Stopwatch.GetTimestamp();
        bool inferred = observed && Guard("infer", _inferStage);
        long afterInfer = Stopwatch.GetTimestamp();
        if (inferred && !_faulted)
        {
            Guard("command", _commandStage);
        }
        long afterCommand = Stopwatch.GetTimestamp();

        Timing.Observe.Add(Stopwatch.GetElapsedTime(wallStart, afterObserve).TotalMilliseconds);
        Timing.Infer.Add(Stopwatch.GetElapsedTime(afterObserve, afterInfer).TotalMilliseconds);
        Timing.Command.Add(Stopwatch.GetElapsedTime(afterInfer, afterCommand).TotalMilliseconds);
        if (observed && _observation.State.IsValid)
        {
            TimeSpan age = start - _observation.State.ReceivedAt;
            Timing.ObservationAge.Add(age.TotalMilliseconds);
            Timing.CommandLatency.Add((age + Stopwatch.GetElapsedTime(wallStart, afterCommand)).TotalMilliseconds);
        }
        Timing.CountCycle();

        HandleDeadline(_scheduler.Complete());
        lock (_cycleGate)
        {
            _completedGridTicks = gridPoint.Ticks;
            Monitor.PulseAll(_cycleGate);
        }
        try
        {
            _scheduler.WaitForNext(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            ReportFault("wait", ex);
        }
    }

    /// <summary>
    /// Runs cycles on the calling thread until the loop's clock reaches <paramref name="deadline"/>: the
    /// wait of a Gym step. In lockstep each cycle steps the twin one loop period, so a 25 Hz step at a
    /// 100 Hz loop is four cycles, each with the guard's checks; on a wall clock the same cycles sleep
    /// between ticks. Runs at least one cycle (a command handed over is always sent).
    /// </summary>
    public void RunUntil(TimeSpan deadline, CancellationToken cancellationToken = default)
    {
        do
        {
            RunCycle(cancellationToken);
        }
        while (_robot.Clock.Now < deadline && !cancellationToken.IsCancellationRequested);
    }

    /// <summary>Grid point of the last cycle whose checks and command stage are done, or null before the first.</summary>
    public TimeSpan? LastCycleGridPoint
    {
        get
        {
            long ticks = Interlocked.Read(ref _completedGridTicks);
            return ticks == long.MinValue ? null : TimeSpan.FromTicks(ticks);
        }
    }

    /// <summary>
    /// Blocks until the loop, running on its own thread (<see cref="Start"/>), has completed a cycle whose
    /// grid point is at or after <paramref name="gridPoint"/>: what a caller stepping at a slower rate
    /// waits on instead of pacing itself. Returns false when no such cycle completed within
    /// <paramref name="timeout"/> of wall time (a stalled loop); throws when the loop is not running.
    /// </summary>
    public bool WaitForCycle(TimeSpan gridPoint, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        long giveUp = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        lock (_cycleGate)
        {
            while (_completedGridTicks < gridPoint.Ticks)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!IsRunning)
                {
                    throw new InvalidOperationException("the control loop is not running on its own thread; nothing will complete the cycle waited for");
                }
                TimeSpan left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), giveUp);
                if (left <= TimeSpan.Zero)
                {
                    return false;
                }
                // Woken by every completed cycle; the slice bounds how late a cancellation is noticed.
                Monitor.Wait(_cycleGate, left < TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100));
            }
        }
        return true;
    }

    /// <summary>Anchors the grid afresh at the next cycle (after a pause, e.g. between episodes).</summary>
    public void RestartGrid() => _scheduler.Restart();

    /// <summary>Runs cycles on a dedicated high-priority thread until <see cref="Stop"/>.</summary>
    public void Start()
    {
        if (_thread is not null)
        {
            throw new InvalidOperationException("the control loop is already running");
        }
        _stop = new CancellationTokenSource();
        var token = _stop.Token;
        _thread = new Thread(() =>
        {
            if (_options.RealtimePriority > 0)
            {
                SchedulingNote = RealtimeScheduling.TryEnterFifo(_options.RealtimePriority) is { } why
                    ? $"normal scheduling: {why}"
                    : $"SCHED_FIFO priority {_options.RealtimePriority}";
            }
            while (!token.IsCancellationRequested)
            {
                try
                {
                    RunCycle(token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        })
        {
            IsBackground = true,
            Name = $"RobotBridge control loop {_options.RateHz} Hz",
        };
        try
        {
            _thread.Priority = ThreadPriority.Highest;
        }
        catch (Exception ex) when (ex is PlatformNotSupportedException or ThreadStateException)
        {
            // Not allowed here; pacing still works, with more jitter under load.
        }
        _thread.Start();
    }

    /// <summary>Stops the loop thread and waits for it.</summary>
    public void Stop()
    {
        if (_thread is null)
        {
            return;
        }
        _stop!.Cancel();
        _thread.Join();
        _thread = null;
        _stop.Dispose();
        _stop = null;
    }

    public void Dispose()
    {
        Stop();
        _cameraIngest?.Dispose();
        _currentFrame?.Dispose();
        _currentFrame = null;
    }

    private void Observe()
    {
        _robot.ReadState(_observation.State);
        switch (_options.Camera)
        {
            case CameraIngestMode.Inline:
                if (_robot.TryGetCameraFrame() is { } inline)
                {
                    ReplaceFrame(inline);
                }
                break;
            case CameraIngestMode.Thread:
                if (_cameraIngest!.Frames.TryTake(out var latest))
                {
                    ReplaceFrame(latest);
                }
                break;
        }
        _observation.Camera = _currentFrame;
    }

    private void ReplaceFrame(CameraFrame frame)
    {
        if (!ReferenceEquals(frame, _currentFrame))
        {
            _currentFrame?.Dispose();
            _currentFrame = frame;
        }
    }

    private void HandleDeadline(bool missed)
    {
        if (!missed)
        {
            return;
        }
        Timing.CountOverrun();
        if (_options.MissPolicy == DeadlineMissPolicy.Hold)
        {
            Guard("hold after deadline miss", () => _robot.Stop("control loop missed its deadline: holding position"));
        }
        if (_scheduler.ConsecutiveMisses >= _options.MissesBeforeStop)
        {
            StopSafely($"{_scheduler.ConsecutiveMisses} consecutive deadline misses (period {_period.TotalMilliseconds:F1} ms)");
            _scheduler.ForgiveMisses();
        }
    }

    /// <summary>Runs a stage; on an exception reports the fault and returns false.</summary>
    private bool Guard(string stage, Action action)
    {
        try
        {
            action();
            return true;
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            ReportFault(stage, ex);
            return false;
        }
    }

    private void ReportFault(string stage, Exception ex)
    {
        Timing.CountFault();
        StopSafely($"{stage} threw {ex.GetType().Name}: {ex.Message}");
    }

    private void StopSafely(string cause)
    {
        _lastFault = cause;
        try
        {
            _options.FaultLog?.WriteLine($"control loop: {cause}");
        }
        catch (Exception)
        {
            // The fault log is diagnostics only; the stop below matters.
        }
        if (_guard is not null)
        {
            _guard.ReportFault("control loop", cause);
            return;
        }
        _faulted = true;
        try
        {
            _robot.Stop($"control loop fault: {cause}");
        }
        catch (Exception)
        {
            // Nothing more this loop can do; it stays faulted and sends no commands.
        }
    }
}
