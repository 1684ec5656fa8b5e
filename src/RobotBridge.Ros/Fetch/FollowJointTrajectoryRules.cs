using RobotBridge.Model;
using RobotBridge.Robots;
using RobotBridge.Ros.Messages;

namespace RobotBridge.Ros.Fetch;

/// <summary>
/// What the Fetch's FollowJointTrajectory controllers (robot_controllers) answer, and how `serve` checks a
/// goal before anything moves: result texts and error codes as upstream sends them, joint names mapped
/// onto the group, every value finite and every position inside the joint's URDF range.
/// </summary>
internal static class FollowJointTrajectoryRules
{
    public const string Succeeded = "Trajectory succeeded.";
    public const string TimeLimits = "Trajectory not executed within time limits.";
    public const string PathPosition = "Trajectory path tolerances violated (position).";
    public const string PathVelocity = "Trajectory path tolerances violated (velocity).";
    public const string Preempted = "Trajectory preempted";
    public const string SizeMismatch = "Trajectory goal size does not match controlled joints size.";
    public const string NameMismatch = "Trajectory goal does not match controlled joints";

    /// <summary>control_msgs/FollowJointTrajectoryResult error codes.</summary>
    public const int Successful = 0, InvalidGoal = -1, InvalidJoints = -2, PathToleranceViolated = -4, GoalToleranceViolated = -5;

    /// <summary>Default goal tolerance per joint when the goal does not give one for every joint (as the PR2's).</summary>
    public const double DefaultGoalTolerance = 0.02;

    /// <summary>Time after end + goal_time_tolerance before an unfinished goal aborts (0.6 s, "matches PR2").</summary>
    public static readonly TimeSpan AbortSlack = TimeSpan.FromSeconds(0.6);

    /// <summary>A bounded joint's goal may lie this far outside its URDF range (rad or m) and is then clamped
    /// into it: positions read back from joint states sit on the limit give or take the encoders' noise.</summary>
    public const double RangeSlack = 0.01;

    /// <summary>A continuous joint has no range, but a goal beyond this many radians is no position (and
    /// would lose its fraction of a turn to rounding).</summary>
    public const double ContinuousBound = 100;

    /// <summary>How far ahead of the robot's clock trajectory.header.stamp may lie: further is a client
    /// stamping from another clock, whose trajectory would otherwise wait for hours.</summary>
    public static readonly TimeSpan MaxStartDelay = TimeSpan.FromSeconds(60);

    /// <summary>URDF position range of every joint in <see cref="FetchJoints.All"/> order (null bounds for continuous ones).</summary>
    public static (double Lower, double Upper)?[] Ranges(RobotModel model) =>
        [.. FetchJoints.All.Select(name =>
        {
            Joint joint = model.GetJoint(name);
            return joint.Type != JointType.Continuous && joint.Limits is { HasPositionLimits: true } l ? ((double, double)?)(l.Lower, l.Upper) : null;
        })];

    /// <summary>Index in the goal of each group joint, or null when the names are not exactly the group's.</summary>
    public static int[]? Mapping(JointGroup group, FollowJointTrajectoryGoal goal)
    {
        var joints = FetchJoints.Of(group);
        var names = goal.Trajectory.JointNames;
        if (names.Count != joints.Count)
        {
            return null;
        }
        int[] order = [.. joints.Select(j => names.IndexOf(j))];
        return order.Any(i => i < 0) ? null : order;
    }

    /// <summary>What upstream says (ABORTED, INVALID_JOINTS) about goal joints that are not the group's, or null.</summary>
    public static string? JointsMismatch(JointGroup group, FollowJointTrajectoryGoal goal) =>
        goal.Trajectory.JointNames.Count != FetchJoints.Of(group).Count ? SizeMismatch
        : Mapping(group, goal) is null ? NameMismatch : null;

    /// <summary>Why the goal's values cannot be executed (it is REJECTED with this), or null. Goals whose
    /// joint names do not match pass here: upstream aborts them once taken.</summary>
    public static string? Validate(JointGroup group, FollowJointTrajectoryGoal goal, (double Lower, double Upper)?[] ranges, TimeSpan now)
    {
        if (Mapping(group, goal) is not { } order)
        {
            return null;
        }
        var joints = FetchJoints.Of(group);
        var points = goal.Trajectory.Points;
        if (points.Count == 0)
        {
            return $"trajectory for {group} has no points";
        }
        for (int p = 0; p < points.Count; p++)
        {
            var point = points[p];
            if (point.Positions.Count != joints.Count)
            {
                return $"trajectory point {p} has {point.Positions.Count} positions for {joints.Count} joints";
            }
            for (int j = 0; j < joints.Count; j++)
            {
                double q = point.Positions.Span[order[j]];
                if (!double.IsFinite(q))
                {
                    return $"trajectory point {p} joint {joints[j]} position {q} is not finite";
                }
                if (ranges[FetchJoints.IndexOf(joints[j])] is { } range)
                {
                    if (q < range.Lower - RangeSlack || q > range.Upper + RangeSlack)
                    {
                        return $"trajectory point {p} joint {joints[j]} position {q:G6} is outside its limits [{range.Lower:0.####}, {range.Upper:0.####}]";
                    }
                }
                else if (Math.Abs(q) > ContinuousBound)
                {
                    return $"trajectory point {p} joint {joints[j]} position {q:G6} is beyond the ±{ContinuousBound} rad limit of a continuous joint";
                }
            }
            foreach (var (values, what) in new[] { (point.Velocities, "velocities"), (point.Accelerations, "accelerations") })
            {
                if (values.Count == 0)
                {
                    continue;
                }
                if (values.Count != joints.Count)
                {
                    return $"trajectory point {p} has {values.Count} {what} for {joints.Count} joints";
                }
                foreach (double v in values.Span)
                {
                    if (!double.IsFinite(v))
                    {
                        return $"trajectory point {p} has {what} that are not finite";
                    }
                }
            }
            if (p > 0 && point.TimeFromStart.ToTimeSpan() < points[p - 1].TimeFromStart.ToTimeSpan())
            {
                return $"trajectory point {p} time_from_start {point.TimeFromStart.ToSeconds():0.###} s is before the previous point's";
            }
            if (point.TimeFromStart.ToTimeSpan() < TimeSpan.Zero)
            {
                return $"trajectory point {p} time_from_start is negative";
            }
        }
        var stamp = goal.Trajectory.Header.Stamp;
        if (!stamp.IsZero && stamp.ToTimeSpan() - now > MaxStartDelay)
        {
            return $"trajectory.header.stamp {stamp.ToSeconds():0.###} s lies {(stamp.ToTimeSpan() - now).TotalSeconds:0.#} s ahead of the robot's clock ({now.TotalSeconds:0.###} s): stamp with the robot's clock (its /joint_states stamps), or 0 for now";
        }
        foreach (var (tolerances, what) in new[] { (goal.GoalTolerance, "goal"), (goal.PathTolerance, "path") })
        {
            if (tolerances.Any(t => double.IsNaN(t.Position) || double.IsNaN(t.Velocity)))
            {
                return $"a {what} tolerance is not a number";
            }
        }
        return null;
    }

    /// <summary>The goal in the group's joint order, positions clamped into their ranges (see <see cref="RangeSlack"/>).
    /// Call only on a goal that passed <see cref="Validate"/> with matching joints.</summary>
    public static JointTrajectory ToTrajectory(JointGroup group, FollowJointTrajectoryGoal goal, (double Lower, double Upper)?[] ranges)
    {
        int[] order = Mapping(group, goal) ?? throw new ArgumentException($"goal joints do not match the {group} joints");
        var joints = FetchJoints.Of(group);
        var points = new List<TrajectoryPoint>();
        foreach (var p in goal.Trajectory.Points)
        {
            double[] positions = new double[order.Length];
            for (int j = 0; j < order.Length; j++)
            {
                double q = p.Positions.Span[order[j]];
                positions[j] = ranges[FetchJoints.IndexOf(joints[j])] is { } range ? Math.Clamp(q, range.Lower, range.Upper) : q;
            }
            double[]? velocities = p.Velocities.Count == order.Length ? [.. order.Select(i => p.Velocities.Span[i])] : null;
            double[]? accelerations = velocities is not null && p.Accelerations.Count == order.Length ? [.. order.Select(i => p.Accelerations.Span[i])] : null;
            points.Add(new TrajectoryPoint(positions, velocities, p.TimeFromStart.ToTimeSpan()) { Accelerations = accelerations });
        }
        return new JointTrajectory(group, points);
    }

    /// <summary>Per group joint tolerances from the goal, used only when it names every joint (upstream);
    /// else <paramref name="fallback"/> for each, or null when that is null.</summary>
    public static double[]? Tolerances(JointGroup group, List<JointTolerance> given, Func<JointTolerance, double> value, double? fallback)
    {
        var joints = FetchJoints.Of(group);
        if (given.Count == joints.Count)
        {
            var result = new double[joints.Count];
            for (int j = 0; j < joints.Count; j++)
            {
                var match = given.Find(t => t.Name == joints[j]);
                if (match is null)
                {
                    return fallback is null ? null : [.. Enumerable.Repeat(fallback.Value, joints.Count)];
                }
                result[j] = value(match);
            }
            return result;
        }
        return fallback is null ? null : [.. Enumerable.Repeat(fallback.Value, joints.Count)];
    }
}
