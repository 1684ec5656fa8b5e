namespace RobotBridge.Safety;

/// <summary>
/// Forward kinematics the supervisor needs: where the gripper is for a joint configuration.
/// Filled from the URDF robot model; the supervisor never computes kinematics itself.
/// </summary>
public interface IGripperKinematics
{
    /// <summary>Position of gripper_link in the base_link frame (m) for <paramref name="positions"/>
    /// in <see cref="Robots.FetchJoints.All"/> order. Must not allocate.</summary>
    (double X, double Y, double Z) GripperPosition(ReadOnlySpan<double> positions);

    /// <summary>Distance (m) from wrist_roll_link, the point a Cartesian twist moves, to gripper_link: a
    /// twist turning at ω moves the gripper up to |ω| times this besides its linear velocity.</summary>
    double WristToGripper { get; }
}
