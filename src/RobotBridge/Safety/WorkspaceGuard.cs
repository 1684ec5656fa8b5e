using RobotBridge.Robots;

namespace RobotBridge.Safety;

/// <summary>
/// Checks gripper positions against the workspace box with the robot model's forward kinematics:
/// the measured gripper, every point of a trajectory and the joint-space path between points
/// (sampled), and limits Cartesian twists so they cannot carry the gripper out of the box.
/// Not thread-safe (scratch buffers); the supervisor serialises calls.
/// </summary>
public sealed class WorkspaceGuard
{
    /// <summary>Samples per trajectory segment, besides its end point: the controller interpolates in
    /// joint space, and the gripper path between two inside points can leave a box.</summary>
    private const int SamplesPerSegment = 4;

    private readonly IGripperKinematics _kinematics;
    private readonly double[] _scratch = new double[FetchJoints.Count];
    private readonly double[] _from = new double[FetchJoints.Count];

    public WorkspaceGuard(IGripperKinematics kinematics, WorkspaceBox box)
    {
        _kinematics = kinematics;
        Box = box;
    }

    public WorkspaceBox Box { get; }

    public (double X, double Y, double Z) Gripper(ReadOnlySpan<double> positions) => _kinematics.GripperPosition(positions);

    /// <summary>True when the gripper at <paramref name="positions"/> is inside the box shrunk by <paramref name="margin"/>.</summary>
    public bool Contains(ReadOnlySpan<double> positions, double margin)
    {
        var (x, y, z) = _kinematics.GripperPosition(positions);
        return Box.Contains(x, y, z, margin);
    }

    /// <summary>
    /// True when the whole joint-space path of <paramref name="trajectory"/>, starting from
    /// <paramref name="current"/>, keeps the gripper inside the box shrunk by <paramref name="margin"/>.
    /// Otherwise <paramref name="problem"/> says which point left and where the gripper would be.
    /// </summary>
    public bool PathInside(JointTrajectory trajectory, ReadOnlySpan<double> current, double margin, out string? problem)
    {
        var joints = FetchJoints.Of(trajectory.Group);
        current.CopyTo(_from);
        for (int p = 0; p < trajectory.Points.Count; p++)
        {
            var target = trajectory.Points[p].Positions;
            for (int s = 1; s <= SamplesPerSegment + 1; s++)
            {
                double f = (double)s / (SamplesPerSegment + 1);
                current.CopyTo(_scratch);
                for (int j = 0; j < joints.Count; j++)
                {
                    int i = FetchJoints.IndexOf(joints[j]);
                    _scratch[i] = _from[i] + f * (target[j] - _from[i]);
                }
                var (x, y, z) = _kinematics.GripperPosition(_scratch);
                if (!Box.Contains(x, y, z, margin))
                {
                    problem = $"trajectory point {p} would take the gripper to ({x:F3}, {y:F3}, {z:F3}) m, outside the workspace {Box} (margin {margin} m)";
                    return false;
                }
            }
            for (int j = 0; j < joints.Count; j++)
            {
                _from[FetchJoints.IndexOf(joints[j])] = target[j];
            }
        }
        problem = null;
        return true;
    }

    /// <summary>
    /// Limits a wrist twist so that, moving outward, the gripper needs at least <paramref name="horizon"/>
    /// to reach the margin-shrunk wall: speed toward a wall is at most (distance to it) / horizon, zero
    /// at or past it. Each linear component is limited so; the gripper lies <see cref="IGripperKinematics.WristToGripper"/>
    /// beyond the wrist, so turning at ω moves it up to |ω| times that in any direction, and ω is scaled
    /// down to what the walls leave after the linear part (with the linear part stopped at a wall, a
    /// 0.44 rad/s turn swung the gripper 1 cm past it: AdversarialActionPropertyTests seeds 6 and 10).
    /// Motion inward is never limited.
    /// </summary>
    public Twist LimitTwist(in Twist twist, ReadOnlySpan<double> current, double margin, double horizon, out bool clamped)
    {
        var (x, y, z) = _kinematics.GripperPosition(current);
        double vx = LimitAxis(twist.Vx, x, Box.MinX + margin, Box.MaxX - margin, horizon);
        double vy = LimitAxis(twist.Vy, y, Box.MinY + margin, Box.MaxY - margin, horizon);
        double vz = LimitAxis(twist.Vz, z, Box.MinZ + margin, Box.MaxZ - margin, horizon);
        double spare = Math.Min(Math.Min(
            Math.Min(Spare(vx, x - (Box.MinX + margin), -1, horizon), Spare(vx, Box.MaxX - margin - x, 1, horizon)),
            Math.Min(Spare(vy, y - (Box.MinY + margin), -1, horizon), Spare(vy, Box.MaxY - margin - y, 1, horizon))),
            Math.Min(Spare(vz, z - (Box.MinZ + margin), -1, horizon), Spare(vz, Box.MaxZ - margin - z, 1, horizon)));
        double angular = Math.Sqrt(twist.Wx * twist.Wx + twist.Wy * twist.Wy + twist.Wz * twist.Wz);
        double swing = angular * _kinematics.WristToGripper;
        double scale = swing > spare ? spare / swing : 1;
        clamped = vx != twist.Vx || vy != twist.Vy || vz != twist.Vz || scale < 1;
        return new Twist(vx, vy, vz, twist.Wx * scale, twist.Wy * scale, twist.Wz * scale);
    }

    /// <summary>Speed toward one wall (<paramref name="distance"/> away, in <paramref name="direction"/> ±1)
    /// left after the linear velocity <paramref name="v"/> on that axis: distance / horizon − outward v, ≥ 0.</summary>
    private static double Spare(double v, double distance, int direction, double horizon) =>
        Math.Max(0, Math.Max(0, distance) / horizon - Math.Max(0, direction * v));

    private static double LimitAxis(double v, double p, double lo, double hi, double horizon)
    {
        if (v > 0)
        {
            return Math.Min(v, Math.Max(0, hi - p) / horizon);
        }
        if (v < 0)
        {
            return Math.Max(v, -Math.Max(0, p - lo) / horizon);
        }
        return v;
    }
}
