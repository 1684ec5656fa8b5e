using System.Diagnostics;

namespace RobotBridge.Safety;

/// <summary>Settings of an <see cref="EStopLatch"/>.</summary>
public sealed record EStopLatchOptions
{
    /// <summary>Operators allowed to reset the latch. Empty means nobody can reset it (fail safe).</summary>
    public IReadOnlyCollection<string> AuthorisedOperators { get; init; } = [];

    /// <summary>Start in <see cref="EStopState.AwaitingReset"/> so nothing moves until an operator
    /// resets once (what a deployment on the real robot wants). Off for unattended training.</summary>
    public bool StartLatched { get; init; }

    /// <summary>Wall time for event stamps; <see cref="TimeProvider.System"/> unless a test injects one.</summary>
    public TimeProvider WallClock { get; init; } = TimeProvider.System;

    /// <summary>Robot-clock time for event stamps (the twin's virtual time), or null when unknown.</summary>
    public Func<TimeSpan>? RobotTime { get; init; }

    /// <summary>Where events are recorded; a fresh in-memory log when not given.</summary>
    public SafetyEventLog? Log { get; init; }
}

/// <summary>
/// The latched e-stop. Any number of named sources (software, teleop, button, watchdog, supervisor)
/// can trip it; it stays tripped until every source that asserted a stop has cleared AND an
/// authorised operator resets it. See <see cref="EStopState"/> for the state machine.
/// </summary>
/// <remarks>
/// <para>Thread-safe: every method may be called from any thread. State changes are serialised by
/// one lock and <see cref="Snapshot"/> is an immutable object swapped atomically, so readers never
/// wait.</para>
/// <para><see cref="Tripped"/> and <see cref="EventRaised"/> handlers run synchronously on the
/// thread that caused the change, inside the latch's lock, so a stop reaches the robot before
/// <see cref="Trip"/> returns and handlers see events in the order they happened. Handlers must not
/// block (IRobot.Stop does not). A handler that throws is logged as a
/// <see cref="SafetyEventKind.Fault"/> and the remaining handlers still run.</para>
/// </remarks>
public sealed class EStopLatch
{
    private readonly object _gate = new();
    private readonly Dictionary<EStopSource, ActiveStop> _active = [];
    private readonly HashSet<string> _authorised;
    private readonly TimeProvider _wallClock;
    private readonly Func<TimeSpan>? _robotTime;
    private EStopState _state;
    private SafetyEvent? _lastTrip;
    private long _tripCount;
    private long _sequence;
    private volatile SafetySnapshot _snapshot;

    public EStopLatch(EStopLatchOptions? options = null)
    {
        options ??= new EStopLatchOptions();
        _authorised = new HashSet<string>(options.AuthorisedOperators, StringComparer.Ordinal);
        _wallClock = options.WallClock;
        _robotTime = options.RobotTime;
        Log = options.Log ?? new SafetyEventLog();
        _state = options.StartLatched ? EStopState.AwaitingReset : EStopState.Running;
        if (options.StartLatched)
        {
            _lastTrip = NewEvent(SafetyEventKind.Trip, EStopSource.Software("startup"), "latched at startup; reset to enable motion");
            _tripCount = 1;
            Log.Record(_lastTrip);
        }
        _snapshot = BuildSnapshot();
    }

    /// <summary>Raised for every trip (also when further sources trip an already tripped latch):
    /// the place to stop the robot.</summary>
    public event Action<SafetyEvent>? Tripped;

    /// <summary>Raised for every event of every kind, after <see cref="Tripped"/> for trips.</summary>
    public event Action<SafetyEvent>? EventRaised;

    /// <summary>Raised when a reset is asked for while the latch is stopped, before the latch judges it, on
    /// the asking thread and outside the lock: owners of lasting sources check their conditions again
    /// here (and <see cref="Clear"/> what has gone), so a reset is never refused for a condition that
    /// ended while nothing was looking — a link that came back between episodes, when no loop runs.</summary>
    public event Action? ResetRequested;

    /// <summary>Every event this latch produced.</summary>
    public SafetyEventLog Log { get; }

    /// <summary>The current state, lock-free.</summary>
    public SafetySnapshot Snapshot => _snapshot;

    /// <summary>True while motion must not happen (tripped or awaiting reset). Lock-free.</summary>
    public bool IsStopped => _snapshot.IsStopped;

    /// <summary>
    /// <paramref name="source"/> asserts a stop condition that lasts until it calls <see cref="Clear"/>
    /// (a held button, a lost link, a missing heartbeat). Idempotent per source: a repeated trip by
    /// an already active source keeps the first cause and raises no new event.
    /// </summary>
    public void Trip(EStopSource source, string cause) => TripCore(source, cause, lasting: true);

    /// <summary>A stop caused by a one-off event (a NaN command, a limit violation, a software stop
    /// request): the latch trips, but the source is not left active, so only a reset is needed.</summary>
    public void TripMomentary(EStopSource source, string cause) => TripCore(source, cause, lasting: false);

    /// <summary><paramref name="source"/>'s stop condition has gone. The latch stays tripped; once no
    /// source is active it waits for <see cref="TryReset"/>. Clearing an inactive source does nothing.</summary>
    public void Clear(EStopSource source, string reason = "condition cleared")
    {
        lock (_gate)
        {
            if (!_active.Remove(source))
            {
                return;
            }
            if (_active.Count == 0 && _state == EStopState.Tripped)
            {
                _state = EStopState.AwaitingReset;
            }
            Publish(NewEvent(SafetyEventKind.Clear, source, reason));
        }
    }

    /// <summary>
    /// Releases the latch if no source is active and <paramref name="operatorId"/> is authorised.
    /// Every attempt is logged, refused ones with the reason.
    /// </summary>
    public EStopResetResult TryReset(string operatorId)
    {
        ArgumentNullException.ThrowIfNull(operatorId);
        var who = EStopSource.Software($"operator {operatorId}");
        if (_snapshot.IsStopped && ResetRequested is { } recheck)
        {
            foreach (var handler in recheck.GetInvocationList())
            {
                try
                {
                    ((Action)handler)();
                }
                catch (Exception ex)
                {
                    // A failed check leaves its source as it was: active sources still refuse the reset.
                    lock (_gate)
                    {
                        Log.Record(NewEvent(SafetyEventKind.Fault, who, $"condition check before the reset threw {ex.GetType().Name}: {ex.Message}"));
                    }
                }
            }
        }
        lock (_gate)
        {
            if (_state == EStopState.Running)
            {
                return EStopResetResult.NotTripped;
            }
            if (!_authorised.Contains(operatorId))
            {
                Publish(NewEvent(SafetyEventKind.ResetRefused, who, $"operator '{operatorId}' is not authorised to reset"));
                return EStopResetResult.NotAuthorised;
            }
            if (_active.Count > 0)
            {
                string still = string.Join(", ", _active.Values.Select(a => $"{a.Source} ({a.Cause})"));
                Publish(NewEvent(SafetyEventKind.ResetRefused, who, $"sources still active: {still}"));
                return EStopResetResult.SourcesActive;
            }
            _state = EStopState.Running;
            Publish(NewEvent(SafetyEventKind.Reset, who, "reset by authorised operator"));
            return EStopResetResult.Accepted;
        }
    }

    private void TripCore(EStopSource source, string cause, bool lasting)
    {
        ArgumentException.ThrowIfNullOrEmpty(source.Name);
        ArgumentNullException.ThrowIfNull(cause);
        lock (_gate)
        {
            if (_active.ContainsKey(source))
            {
                return;
            }
            var trip = NewEvent(SafetyEventKind.Trip, source, cause);
            if (lasting)
            {
                _active[source] = new ActiveStop(source, cause, trip.WallTime, trip.RobotTime);
            }
            _state = _active.Count > 0 ? EStopState.Tripped : EStopState.AwaitingReset;
            _lastTrip = trip;
            _tripCount++;
            Publish(trip);
        }
    }

    /// <summary>Records, republishes the snapshot and notifies handlers. Caller holds the lock.</summary>
    private void Publish(SafetyEvent safetyEvent)
    {
        Debug.Assert(Monitor.IsEntered(_gate));
        _snapshot = BuildSnapshot();
        Log.Record(safetyEvent);
        if (safetyEvent.Kind == SafetyEventKind.Trip)
        {
            Invoke(Tripped, safetyEvent);
        }
        Invoke(EventRaised, safetyEvent);
    }

    private void Invoke(Action<SafetyEvent>? handlers, SafetyEvent safetyEvent)
    {
        if (handlers is null)
        {
            return;
        }
        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                ((Action<SafetyEvent>)handler)(safetyEvent);
            }
            catch (Exception ex)
            {
                // Keep going: the next handler may be the one that stops the robot.
                Log.Record(NewEvent(SafetyEventKind.Fault, safetyEvent.Source,
                    $"handler for event #{safetyEvent.Sequence} threw {ex.GetType().Name}: {ex.Message}"));
            }
        }
    }

    private SafetyEvent NewEvent(SafetyEventKind kind, EStopSource source, string cause)
    {
        TimeSpan? robotTime = null;
        if (_robotTime is not null)
        {
            try
            {
                robotTime = _robotTime();
            }
            catch (Exception)
            {
                // A clock that cannot answer (disposed twin) must not prevent the event.
            }
        }
        return new SafetyEvent(Interlocked.Increment(ref _sequence), kind, source, cause,
            _wallClock.GetUtcNow(), robotTime, Stopwatch.GetTimestamp());
    }

    private SafetySnapshot BuildSnapshot() =>
        new(_state, _active.Values.ToArray(), _lastTrip, _tripCount);
}
