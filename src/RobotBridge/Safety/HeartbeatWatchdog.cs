using RobotBridge.Robots;

namespace RobotBridge.Safety;

/// <summary>
/// Dead-man watchdog for an operator channel. It trips its own source on the e-stop latch when no
/// heartbeat has arrived for longer than <see cref="Timeout"/>, or when a heartbeat says the
/// dead-man switch was released, and clears the source again once heartbeats with the switch held
/// resume (the latch still needs an authorised reset).
/// </summary>
/// <remarks>
/// Time comes from the robot clock passed in, so the same watchdog works on the lockstep twin and
/// on the real robot. Somebody has to look at the time: the control loop calls <see cref="Check"/>
/// every cycle, and on a wall clock <see cref="StartTimer"/> adds an independent timer so a dead
/// loop cannot hide a dead operator. Before the first heartbeat the watchdog counts from its
/// creation: no operator within the timeout means a stop (fail safe).
/// </remarks>
public sealed class HeartbeatWatchdog : IHeartbeatSink, IDisposable
{
    private readonly object _gate = new();
    private readonly EStopLatch _latch;
    private readonly Func<TimeSpan> _now;
    private TimeSpan _lastBeat;
    private bool _deadmanReleased;
    private bool _missing;
    private ITimer? _timer;

    public HeartbeatWatchdog(EStopLatch latch, EStopSource source, TimeSpan timeout, Func<TimeSpan> now)
    {
        ArgumentNullException.ThrowIfNull(latch);
        ArgumentNullException.ThrowIfNull(now);
        if (timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "heartbeat timeout must be positive");
        }
        _latch = latch;
        Source = source;
        Timeout = timeout;
        _now = now;
        _lastBeat = now();
    }

    public HeartbeatWatchdog(EStopLatch latch, EStopSource source, TimeSpan timeout, IRobotClock clock)
        : this(latch, source, timeout, () => clock.Now)
    {
    }

    public EStopSource Source { get; }

    public TimeSpan Timeout { get; }

    /// <summary>Robot-clock time of the last heartbeat (or of creation before the first one).</summary>
    public TimeSpan LastBeat
    {
        get { lock (_gate) { return _lastBeat; } }
    }

    /// <summary>True while the operator is present: recent heartbeat and dead-man held.</summary>
    public bool IsHealthy
    {
        get { lock (_gate) { return !_missing && !_deadmanReleased; } }
    }

    public void Beat(bool deadmanHeld = true)
    {
        lock (_gate)
        {
            _lastBeat = _now();
            _missing = false;
            _deadmanReleased = !deadmanHeld;
            Apply(deadmanHeld ? "heartbeat resumed with dead-man held" : "dead-man switch released");
        }
    }

    /// <summary>Looks at the time now; trips when the last heartbeat is older than the timeout.
    /// Returns <see cref="IsHealthy"/>.</summary>
    public bool Check()
    {
        lock (_gate)
        {
            TimeSpan age = _now() - _lastBeat;
            if (age > Timeout && !_missing)
            {
                _missing = true;
                Apply($"no heartbeat for {age.TotalMilliseconds:F0} ms (bound {Timeout.TotalMilliseconds:F0} ms)");
            }
            return !_missing && !_deadmanReleased;
        }
    }

    /// <summary>Runs <see cref="Check"/> every <paramref name="period"/> on a timer (wall-clock
    /// deployments). Call once.</summary>
    public void StartTimer(TimeSpan period, TimeProvider? timeProvider = null)
    {
        lock (_gate)
        {
            if (_timer is not null)
            {
                throw new InvalidOperationException("the heartbeat timer is already running");
            }
            _timer = (timeProvider ?? TimeProvider.System).CreateTimer(_ => Check(), null, period, period);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    /// <summary>Trips or clears the source to match the current conditions. Caller holds the lock.</summary>
    private void Apply(string cause)
    {
        if (_missing || _deadmanReleased)
        {
            _latch.Trip(Source, cause);
        }
        else
        {
            _latch.Clear(Source, cause);
        }
    }
}
