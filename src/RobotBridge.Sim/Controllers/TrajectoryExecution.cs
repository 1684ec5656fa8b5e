using RobotBridge.Robots;

namespace RobotBridge.Sim.Controllers;

/// <summary>
/// One FollowJointTrajectory goal being executed, like robot_controllers' FollowJointTrajectoryController:
/// the setpoint follows the goal's <see cref="TrajectorySpline"/> (started from the measured positions,
/// or spliced onto the goal it preempted) and holds the last point afterwards (stop_with_action = false).
/// Success once the end time has passed with every joint within its goal tolerance (≤ 0 = unchecked);
/// abort when that has not happened by the end time plus the goal time tolerance — then the owner
/// holds the joints where they are, since a goal reported as ended must not go on moving them.
/// </summary>
internal sealed class TrajectoryExecution
{
    private readonly double[] _tolerances;
    private readonly double _deadline;
    private readonly double[] _q, _qd, _qdd;

    /// <param name="joints">Indices into <see cref="FetchJoints.All"/> of the group's joints.</param>
    /// <param name="tolerances">Goal tolerance per group joint (≤ 0 disables the check).</param>
    /// <param name="timeTolerance">Time after the end before an unfinished goal aborts.</param>
    public TrajectoryExecution(JointGroup group, int[] joints, TrajectorySpline spline, double[] tolerances, TimeSpan timeTolerance)
    {
        Group = group;
        Joints = joints;
        Spline = spline;
        _tolerances = tolerances;
        _deadline = spline.EndTime + timeTolerance.TotalSeconds;
        _q = new double[joints.Length];
        _qd = new double[joints.Length];
        _qdd = new double[joints.Length];
        Status = TrajectoryStatus.Active;
    }

    public JointGroup Group { get; }

    public int[] Joints { get; }

    public TrajectorySpline Spline { get; }

    public TrajectoryStatus Status { get; private set; }

    public double EndTime => Spline.EndTime;

    /// <summary>Final positions of the goal, in group order.</summary>
    public ReadOnlySpan<double> GoalPositions => Spline.Knots[^1].Q;

    public void Finish(TrajectoryStatus status) => Status = status;

    /// <summary>Writes the setpoint at time <paramref name="t"/> into the full-robot setpoint arrays
    /// (nothing before the trajectory starts) and updates the goal status from the measured positions.</summary>
    public void Update(double t, Span<double> qRef, Span<double> vRef, ReadOnlySpan<double> measured, Func<int, double, double> clamp)
    {
        if (!Spline.Sample(t, _q, _qd, _qdd))
        {
            return;
        }
        bool ended = t >= Spline.EndTime;
        for (int j = 0; j < Joints.Length; j++)
        {
            qRef[Joints[j]] = clamp(Joints[j], _q[j]);
            vRef[Joints[j]] = ended ? 0.0 : _qd[j];
        }
        if (Status == TrajectoryStatus.Active && ended)
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
    }

    private bool WithinTolerance(ReadOnlySpan<double> measured)
    {
        ReadOnlySpan<double> final = GoalPositions;
        for (int j = 0; j < Joints.Length; j++)
        {
            if (_tolerances[j] > 0 && Math.Abs(measured[Joints[j]] - final[j]) > _tolerances[j])
            {
                return false;
            }
        }
        return true;
    }
}
