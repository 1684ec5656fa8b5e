namespace RobotBridge.Robots;

/// <summary>
/// The hardware interface every body implements (the MuJoCo twin, a Fetch over rosbridge), in the
/// spirit of ros2_control: read the latest state, write commands, stop. Everything above it (tasks,
/// Gym envs, the control loop, the safety supervisor) is written once against this interface.
/// </summary>
/// <remarks>
/// Contract shared by all implementations:
/// <list type="bullet">
/// <item>Joint vectors are always in <see cref="FetchJoints.All"/> order.</item>
/// <item>Reads never block on I/O: they copy the latest value a transport or physics step produced.</item>
/// <item>Writes never block on I/O either: they hand the command to the transport/controller.</item>
/// <item>Commands with NaN/Inf or out-of-range lengths throw <see cref="ArgumentException"/>; no
/// partial command is ever executed.</item>
/// <item><see cref="Stop"/> bypasses every queue: hold position, cancel goals, zero twists.</item>
/// </list>
/// </remarks>
public interface IRobot : IDisposable
{
    /// <summary>Where this robot's time comes from: virtual (lockstep twin) or wall clock.</summary>
    IRobotClock Clock { get; }

    /// <summary>Whether the link to the body is up (always true for an in-process twin).</summary>
    LinkStatus Link { get; }

    /// <summary>Copies the latest joint state into <paramref name="state"/> (no allocation).</summary>
    void ReadState(RobotState state);

    /// <summary>Latest head-camera frame, or null when the camera is off or has produced nothing yet.
    /// The frame stays valid until the caller disposes it (it holds a pooled buffer reference).</summary>
    CameraFrame? TryGetCameraFrame();

    /// <summary>Sends a joint trajectory to the controller that owns <see cref="JointTrajectory.Group"/>.
    /// A new trajectory for the same group preempts the active one.</summary>
    void SendTrajectory(JointTrajectory trajectory);

    /// <summary>Cartesian twist of the gripper (linear m/s, angular rad/s) in the torso_lift_link frame,
    /// as the Fetch's arm_controller/cartesian_twist; stops by itself 0.5 s after the last command.</summary>
    void SendCartesianTwist(in Twist twist);

    /// <summary>Gripper finger separation target (0 closed … 0.1 m open) and maximum effort (N).</summary>
    void SendGripper(double separation, double maxEffort);

    /// <summary>Base twist (linear.x m/s, angular.z rad/s); stops by itself 0.25 s after the last command.</summary>
    void SendBaseTwist(in Twist twist);

    /// <summary>Stop now: hold the current position, cancel active goals, zero all twists.
    /// Idempotent and safe to call from any thread.</summary>
    void Stop(string reason);

    /// <summary>Engages or releases the runstop (software runstop on a real Fetch; the twin freezes
    /// its actuators). While engaged, motion commands are ignored.</summary>
    void SetRunstop(bool engaged);

    /// <summary>The latest command the body reported it did not carry out (see <see cref="CommandFailure"/>),
    /// or null. A body whose controllers take every valid command (the in-process twin) has none.</summary>
    CommandFailure? LastCommandFailure => null;

    /// <summary>Why the body's joint-state stream cannot be trusted right now (a joint that jumped
    /// beyond its speed limit, stamps going backwards: signs of a second publisher), or null. A body
    /// whose state comes from its own simulation (the in-process twin) has none.</summary>
    string? StateFault => null;
}

/// <summary>State of the link between the bridge and the body.</summary>
public enum LinkStatus
{
    Connected,
    Connecting,
    Lost,
}
