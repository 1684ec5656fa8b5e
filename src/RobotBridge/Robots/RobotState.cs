namespace RobotBridge.Robots;

/// <summary>
/// A snapshot of the robot's joint state, preallocated once and filled in place by
/// <see cref="IRobot.ReadState"/> so the control loop never allocates. Vectors are in
/// <see cref="FetchJoints.All"/> order.
/// </summary>
public sealed class RobotState
{
    public double[] Position { get; } = new double[FetchJoints.Count];
    public double[] Velocity { get; } = new double[FetchJoints.Count];
    public double[] Effort { get; } = new double[FetchJoints.Count];

    /// <summary>Robot-clock time at which the body measured this state.</summary>
    public TimeSpan Stamp { get; set; }

    /// <summary>Robot-clock time at which the bridge received it (equal to Stamp on the twin).</summary>
    public TimeSpan ReceivedAt { get; set; }

    /// <summary>True once at least one complete state has been received.</summary>
    public bool IsValid { get; set; }

    /// <summary>Runstop engaged (hardware or software).</summary>
    public bool Runstopped { get; set; }

    /// <summary>Gripper reports an object held (stalled while closing on something).</summary>
    public bool GripperHolding { get; set; }

    /// <summary>Base pose in the odometry frame: x, y (m), yaw (rad).</summary>
    public double BaseX { get; set; }
    public double BaseY { get; set; }
    public double BaseYaw { get; set; }

    /// <summary>Sum of both finger positions: the gripper opening in metres.</summary>
    public double GripperSeparation =>
        Position[FetchJoints.IndexOf(FetchJoints.LGripperFinger)] + Position[FetchJoints.IndexOf(FetchJoints.RGripperFinger)];

    public void CopyTo(RobotState other)
    {
        Position.AsSpan().CopyTo(other.Position);
        Velocity.AsSpan().CopyTo(other.Velocity);
        Effort.AsSpan().CopyTo(other.Effort);
        other.Stamp = Stamp;
        other.ReceivedAt = ReceivedAt;
        other.IsValid = IsValid;
        other.Runstopped = Runstopped;
        other.GripperHolding = GripperHolding;
        other.BaseX = BaseX;
        other.BaseY = BaseY;
        other.BaseYaw = BaseYaw;
    }
}
