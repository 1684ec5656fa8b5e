namespace RobotBridge.Robots;

/// <summary>A 6-D twist: linear (m/s) and angular (rad/s) velocity.</summary>
public readonly record struct Twist(double Vx, double Vy, double Vz, double Wx, double Wy, double Wz)
{
    public static Twist Zero => default;

    public bool IsFinite =>
        double.IsFinite(Vx) && double.IsFinite(Vy) && double.IsFinite(Vz) &&
        double.IsFinite(Wx) && double.IsFinite(Wy) && double.IsFinite(Wz);
}

/// <summary>One point of a joint trajectory: positions (and optional velocities and accelerations) for
/// the group's joints, reached at <see cref="TimeFromStart"/>. What a point carries picks the
/// interpolation of the segment it starts, as robot_controllers does: quintic with accelerations,
/// cubic with velocities, linear otherwise.</summary>
public sealed record TrajectoryPoint(double[] Positions, double[]? Velocities, TimeSpan TimeFromStart)
{
    public double[]? Accelerations { get; init; }
}

/// <summary>
/// A FollowJointTrajectory goal for one controller group. <see cref="Points"/> hold values in
/// <see cref="FetchJoints.Of"/>(<see cref="Group"/>) order.
/// </summary>
public sealed record JointTrajectory(JointGroup Group, IReadOnlyList<TrajectoryPoint> Points)
{
    /// <summary>Allowed final position error per joint (rad or m) before the goal counts as reached.</summary>
    public double GoalTolerance { get; init; } = 0.02;

    /// <summary>Extra time after the last point before an unfinished goal aborts.</summary>
    public TimeSpan GoalTimeTolerance { get; init; } = TimeSpan.FromSeconds(0.6);

    /// <summary>Per-joint goal tolerance in group order (a value ≤ 0 disables that joint's check);
    /// null = <see cref="GoalTolerance"/> for every joint.</summary>
    public double[]? GoalTolerances { get; init; }

    /// <summary>When <see cref="TrajectoryPoint.TimeFromStart"/> counts from, on the robot's clock
    /// (trajectory.header.stamp; a future time delays the trajectory); null = when the controller gets it.</summary>
    public TimeSpan? StartTime { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad point or value.</summary>
    public void Validate()
    {
        int n = FetchJoints.Of(Group).Count;
        if (Points.Count == 0)
        {
            throw new ArgumentException($"trajectory for {Group} has no points");
        }
        TimeSpan previous = TimeSpan.MinValue;
        for (int p = 0; p < Points.Count; p++)
        {
            var point = Points[p];
            if (point.Positions.Length != n)
            {
                throw new ArgumentException($"trajectory point {p} for {Group} has {point.Positions.Length} positions, expected {n}");
            }
            if (point.Velocities is not null && point.Velocities.Length != n)
            {
                throw new ArgumentException($"trajectory point {p} for {Group} has {point.Velocities.Length} velocities, expected {n}");
            }
            if (point.Accelerations is not null && (point.Accelerations.Length != n || point.Velocities is null))
            {
                throw new ArgumentException($"trajectory point {p} for {Group} has {point.Accelerations.Length} accelerations; expected {n}, with velocities");
            }
            for (int j = 0; j < n; j++)
            {
                if (!double.IsFinite(point.Positions[j]) || (point.Velocities is { } v && !double.IsFinite(v[j]))
                    || (point.Accelerations is { } a && !double.IsFinite(a[j])))
                {
                    throw new ArgumentException($"trajectory point {p} joint {FetchJoints.Of(Group)[j]} is not finite");
                }
            }
            if (point.TimeFromStart <= previous || point.TimeFromStart < TimeSpan.Zero)
            {
                throw new ArgumentException($"trajectory point {p} time_from_start {point.TimeFromStart} is not after the previous point");
            }
            previous = point.TimeFromStart;
        }
        if (GoalTolerances is { } tolerances && (tolerances.Length != n || tolerances.Any(t => double.IsNaN(t))))
        {
            throw new ArgumentException($"trajectory for {Group} has {tolerances.Length} goal tolerances, expected {n} numbers");
        }
    }
}
