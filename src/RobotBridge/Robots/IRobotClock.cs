namespace RobotBridge.Robots;

/// <summary>
/// Time as a dependency. The control loop and the Gym envs only ever ask the clock for the time and
/// wait on it; a virtual clock advances the twin's physics to the requested time (lockstep, as fast
/// as the CPU allows), a wall clock sleeps. The same loop code runs on both.
/// </summary>
public interface IRobotClock
{
    /// <summary>Current time on this clock since the robot started.</summary>
    TimeSpan Now { get; }

    /// <summary>True when time only moves because someone waits on it (the lockstep twin).</summary>
    bool IsVirtual { get; }

    /// <summary>Returns once <see cref="Now"/> ≥ <paramref name="time"/>. On a virtual clock this steps
    /// the simulation; on a wall clock it sleeps (never spins for long).</summary>
    void WaitUntil(TimeSpan time, CancellationToken cancellationToken = default);
}
