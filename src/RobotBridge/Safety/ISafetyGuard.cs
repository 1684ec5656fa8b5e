using RobotBridge.Robots;

namespace RobotBridge.Safety;

/// <summary>
/// The explicit safety handle: what a component above the robot needs from the safety supervisor,
/// passed to it by whoever composed the robot, so nobody has to cast a robot back to its supervisor.
/// </summary>
/// <remarks>
/// <para>Commands go to <see cref="Robot"/> (the supervised robot: checked, clamped, dropped while
/// stopped). <see cref="Monitor"/> is the per-cycle check of everything that can go stale or wrong
/// without a command; the control loop owns calling it, once per cycle at its own rate.</para>
/// <para>Thread-safe: the loop monitors while teleop trips and a policy reads the snapshot.</para>
/// </remarks>
public interface ISafetyGuard
{
    /// <summary>The supervised robot: send every command here.</summary>
    IRobot Robot { get; }

    /// <summary>The unsupervised body behind the guard, for read-only diagnostics (recording every
    /// joint state); never command it.</summary>
    IRobot Body { get; }

    /// <summary>The e-stop latch the guard obeys and trips, shared with teleop and the button.</summary>
    EStopLatch Latch { get; }

    /// <summary>The latch's state now (immutable; cheap from any thread).</summary>
    SafetySnapshot Snapshot { get; }

    /// <summary>What the guard did to commands so far.</summary>
    SupervisorCounters Counters { get; }

    /// <summary>The safety config the guard enforces (the deploy's --safety-config, or the shipped one):
    /// whoever plans motion above the guard plans within it, so the guard passes that motion unchanged.</summary>
    SafetyConfig Config { get; }

    /// <summary>
    /// Where the guard takes <paramref name="group"/>'s controller to start a goal stamped
    /// <paramref name="at"/> (full <see cref="FetchJoints.All"/> vectors): each of the group's joints at
    /// the setpoint the guard models while the joint tracks it, otherwise as measured. A streamer that
    /// starts each goal here plans from the state the guard checks the goal from, every goal anew, so a
    /// joint held back and let go never leaves the two apart. False, with nothing written, while there is
    /// no fresh measured state to start from.
    /// </summary>
    bool TryGetGoalStart(JointGroup group, TimeSpan at, Span<double> position, Span<double> velocity);

    /// <summary>One check of the measured state, camera age, link and heartbeats; trips the latch on a
    /// violation. Never throws. Call once per control cycle.</summary>
    void Monitor();

    /// <summary>A component above the guard (control loop, policy, codec) failed or missed its
    /// deadline: stop the robot with that cause.</summary>
    void ReportFault(string component, string cause);

    /// <summary>Adds an operator heartbeat watchdog checked by <see cref="Monitor"/>.</summary>
    HeartbeatWatchdog AddHeartbeat(string name, TimeSpan? timeout = null);
}
