using RobotBridge.Robots;

namespace RobotBridge.Sim.Controllers;

/// <summary>
/// One FollowJointTrajectory goal being executed, like robot_controllers' FollowJointTrajectoryController:
/// the setpoint starts from where the joints are commanded now, then passes through the points —
/// cubic Hermite segments where both ends carry velocities, linear ones otherwise — and holds the last
/// point afterwards (stop_with_action = false). Success when every joint is within the goal tolerance
/// after the last point; abort when that has not happened by the last point plus the goal time tolerance.
/// </summary>
internal sealed class TrajectoryExecution
{
    private readonly double[] _times;
    private readonly double[][] _positions;
    private readonly double[]?[] _velocities;
    private readonly double _tolerance;
    private readonly double _deadline;

    /// <param name="joints">Indices into <see cref="FetchJoints.All"/> of the group's joints.</param>
    /// <param name="startTime">Sim time (s) at which the goal starts.</param>
    /// <param name="startPosition">Current setpoint of each group joint.</param>
    /// <param name="startVelocity">Current setpoint velocity of each group joint.</param>
    public TrajectoryExecution(JointTrajectory goal, int[] joints, double startTime,
        ReadOnlySpan<double> startPosition, ReadOnlySpan<double> startVelocity, Func<int, double, double> clamp)
    {
        Group = goal.Group;
        Joints = joints;
        int count = goal.Points.Count + 1;
        _times = new double[count];
        _positions = new double[count][];
        _velocities = new double[count][];
        _times[0] = startTime;
        _positions[0] = startPosition.ToArray();
        _velocities[0] = startVelocity.ToArray();
        for (int p = 0; p < goal.Points.Count; p++)
        {
            TrajectoryPoint point = goal.Points[p];
            _times[p + 1] = startTime + point.TimeFromStart.TotalSeconds;
            var clamped = new double[joints.Length];
            for (int j = 0; j < joints.Length; j++)
            {
                clamped[j] = clamp(joints[j], point.Positions[j]);
            }
            _positions[p + 1] = clamped;
            _velocities[p + 1] = point.Velocities?.ToArray();
        }
        // A point reached at time 0 replaces the start knot instead of forming a zero-length segment.
        if (_times[1] <= _times[0])
        {
            _times[0] = _times[1] - 1e-9;
        }
        _tolerance = goal.GoalTolerance;
        _deadline = _times[^1] + goal.GoalTimeTolerance.TotalSeconds;
        Status = TrajectoryStatus.Active;
    }

    public JointGroup Group { get; }

    public int[] Joints { get; }

    public TrajectoryStatus Status { get; private set; }

    public double EndTime => _times[^1];

    /// <summary>Final positions of the goal, in group order.</summary>
    public ReadOnlySpan<double> GoalPositions => _positions[^1];

    public void Finish(TrajectoryStatus status) => Status = status;

    /// <summary>Writes the setpoint at time <paramref name="t"/> into the full-robot setpoint arrays
    /// and updates the goal status from the measured positions.</summary>
    public void Update(double t, Span<double> qRef, Span<double> vRef, ReadOnlySpan<double> measured)
    {
        int last = _times.Length - 1;
        if (t >= _times[last])
        {
            double[] final = _positions[last];
            for (int j = 0; j < Joints.Length; j++)
            {
                qRef[Joints[j]] = final[j];
                vRef[Joints[j]] = 0.0;
            }
            if (Status == TrajectoryStatus.Active)
            {
                if (WithinTolerance(measured))
                {
                    Status = TrajectoryStatus.Succeeded;
                }
                else if (t > _deadline)
                {
                    Status = TrajectoryStatus.Aborted;
                }
            }
            return;
        }
        int segment = 0;
        while (_times[segment + 1] <= t)
        {
            segment++;
        }
        double t0 = _times[segment], t1 = _times[segment + 1], h = t1 - t0;
        double s = (t - t0) / h;
        double[] p0 = _positions[segment], p1 = _positions[segment + 1];
        double[]? v0 = _velocities[segment], v1 = _velocities[segment + 1];
        bool cubic = v0 is not null && v1 is not null;
        for (int j = 0; j < Joints.Length; j++)
        {
            double q, v;
            if (cubic)
            {
                // Cubic Hermite basis on s ∈ [0,1]; velocities scale by the segment duration.
                double s2 = s * s, s3 = s2 * s;
                double h00 = 2 * s3 - 3 * s2 + 1, h10 = s3 - 2 * s2 + s, h01 = -2 * s3 + 3 * s2, h11 = s3 - s2;
                q = h00 * p0[j] + h10 * h * v0![j] + h01 * p1[j] + h11 * h * v1![j];
                double d00 = 6 * s2 - 6 * s, d10 = 3 * s2 - 4 * s + 1, d01 = -6 * s2 + 6 * s, d11 = 3 * s2 - 2 * s;
                v = (d00 * p0[j] + d01 * p1[j]) / h + d10 * v0[j] + d11 * v1[j];
            }
            else
            {
                q = p0[j] + s * (p1[j] - p0[j]);
                v = (p1[j] - p0[j]) / h;
            }
            qRef[Joints[j]] = q;
            vRef[Joints[j]] = v;
        }
    }

    private bool WithinTolerance(ReadOnlySpan<double> measured)
    {
        double[] final = _positions[^1];
        for (int j = 0; j < Joints.Length; j++)
        {
            if (Math.Abs(measured[Joints[j]] - final[j]) > _tolerance)
            {
                return false;
            }
        }
        return true;
    }
}
