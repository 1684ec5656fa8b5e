using RobotBridge.Robots;

namespace RobotBridge.Safety;

/// <summary>
/// Makes a joint trajectory respect the joint limits where that can be done safely: positions are
/// clamped inside the range (minus the margin), given point velocities to what the joint can brake
/// from (zero at the last point), and point times are stretched so no segment needs more than the
/// velocity or acceleration limit to get from its start (position, velocity) to its end: the
/// time-optimal bound of <see cref="MinimumDuration"/>, and out of the <see cref="UnreachableWindow"/>
/// a segment between two moving ends can have; a point without velocities counts as at rest, the
/// first segment starts from the measured state (or from the goal's own first point, due at once, when that
/// is the start state to within rounding: <see cref="StartPositionTolerance"/>). Never makes a trajectory faster.
/// </summary>
public static class TrajectoryLimiter
{
    /// <summary>Shortfalls up to this are not retimed: a point time is kept in 100 ns ticks, so a
    /// segment asked in exactly its minimum time can come out a tick short.</summary>
    private static readonly TimeSpan TimingResolution = TimeSpan.FromMicroseconds(1);

    /// <summary>
    /// Returns the limited trajectory (the same instance when nothing changed) and whether anything
    /// was clamped or retimed. <paramref name="current"/> is the measured full joint vector in
    /// <see cref="FetchJoints.All"/> order; the first segment starts there. The trajectory must
    /// already be valid (<see cref="JointTrajectory.Validate"/>).
    /// </summary>
    public static JointTrajectory Enforce(JointTrajectory trajectory, ReadOnlySpan<double> current,
        IReadOnlyList<JointLimit> limits, double positionMargin, out bool clamped) =>
        Enforce(trajectory, current, ReadOnlySpan<double>.Empty, limits, positionMargin, out clamped);

    /// <summary>
    /// As <see cref="Enforce(JointTrajectory, ReadOnlySpan{double}, IReadOnlyList{JointLimit}, double, out bool)"/>,
    /// with the measured joint velocities <paramref name="currentVelocity"/> (full vector; empty = at rest)
    /// as the start of the first segment.
    /// </summary>
    public static JointTrajectory Enforce(JointTrajectory trajectory, ReadOnlySpan<double> current, ReadOnlySpan<double> currentVelocity,
        IReadOnlyList<JointLimit> limits, double positionMargin, out bool clamped)
    {
        var joints = FetchJoints.Of(trajectory.Group);
        Span<int> index = stackalloc int[joints.Count];
        Span<double> previous = stackalloc double[joints.Count];
        Span<double> previousVelocity = stackalloc double[joints.Count];
        Span<double> windowStart = stackalloc double[joints.Count];
        Span<double> windowEnd = stackalloc double[joints.Count];
        for (int j = 0; j < joints.Count; j++)
        {
            index[j] = FetchJoints.IndexOf(joints[j]);
            previous[j] = current[index[j]];
            previousVelocity[j] = currentVelocity.IsEmpty ? 0 : currentVelocity[index[j]];
        }

        clamped = false;
        var points = new TrajectoryPoint[trajectory.Points.Count];
        TimeSpan previousTime = TimeSpan.Zero;
        TimeSpan shift = TimeSpan.Zero;
        int first = 0;
        if (LedByItsStart(trajectory, previous, previousVelocity))
        {
            // The goal's own start, due at once: the next segment starts there.
            var start = trajectory.Points[0];
            points[0] = start;
            start.Positions.CopyTo(previous);
            start.Velocities!.CopyTo(previousVelocity);
            first = 1;
        }
        for (int p = first; p < points.Length; p++)
        {
            var point = trajectory.Points[p];
            var positions = new double[joints.Count];
            double[]? velocities = point.Velocities is null ? null : new double[joints.Count];
            double minDuration = 0;
            for (int j = 0; j < joints.Count; j++)
            {
                var limit = limits[index[j]];
                positions[j] = limit.ClampPosition(point.Positions[j], positionMargin);
                if (velocities is not null)
                {
                    velocities[j] = SafeVelocity(point.Velocities![j], positions[j], limit, positionMargin, isLast: p == points.Length - 1);
                    clamped |= velocities[j] != point.Velocities[j];
                }
                clamped |= positions[j] != point.Positions[j];
                double endVelocity = velocities?[j] ?? 0;
                minDuration = Math.Max(minDuration, MinimumDuration(positions[j] - previous[j], previousVelocity[j], endVelocity, limit));
                (windowStart[j], windowEnd[j]) = UnreachableWindow(positions[j] - previous[j], previousVelocity[j], endVelocity, limit);
                previous[j] = positions[j];
                previousVelocity[j] = endVelocity;
            }

            TimeSpan requested = point.TimeFromStart - previousTime;
            TimeSpan needed = TimeSpan.FromSeconds(FirstReachable(Math.Max(minDuration, requested.TotalSeconds), windowStart, windowEnd));
            if (needed - requested > TimingResolution)
            {
                shift += needed - requested;
                clamped = true;
            }
            previousTime = point.TimeFromStart;
            points[p] = new TrajectoryPoint(positions, velocities, point.TimeFromStart + shift);
        }

        return clamped
            ? trajectory with { Points = points }
            : trajectory;
    }

    /// <summary>How far a goal's first point, due at once, may lie from the start state and still be that
    /// start: a stamped streamed goal leads with the setpoint it was planned from, which the supervisor's model
    /// of that setpoint gives to within rounding (knot times are whole 100 ns ticks: ~1e-8 rad, ~1e-5 rad/s).
    /// Further off, the point is a jump and is timed as any other.</summary>
    public const double StartPositionTolerance = 1e-5, StartVelocityTolerance = 1e-3;

    /// <summary>True when the first point is due at once, carries velocities within the limits, and lies
    /// within <see cref="StartPositionTolerance"/> and <see cref="StartVelocityTolerance"/> of the start.</summary>
    private static bool LedByItsStart(JointTrajectory trajectory, ReadOnlySpan<double> start, ReadOnlySpan<double> startVelocity)
    {
        var point = trajectory.Points[0];
        if (point.TimeFromStart != TimeSpan.Zero || point.Velocities is null || trajectory.Points.Count < 2)
        {
            return false;
        }
        for (int j = 0; j < start.Length; j++)
        {
            if (!(Math.Abs(point.Positions[j] - start[j]) <= StartPositionTolerance
                && Math.Abs(point.Velocities[j] - startVelocity[j]) <= StartVelocityTolerance))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The first time from <paramref name="duration"/> on that lies in no joint's unreachable window.</summary>
    private static double FirstReachable(double duration, ReadOnlySpan<double> windowStart, ReadOnlySpan<double> windowEnd)
    {
        bool moved = true;
        while (moved)
        {
            moved = false;
            for (int j = 0; j < windowStart.Length; j++)
            {
                // A duration within rounding of the window's start is the latest arrival without
                // running past, which can be made.
                if (windowStart[j] + TimingResolution.TotalSeconds < duration && duration < windowEnd[j])
                {
                    duration = windowEnd[j];
                    moved = true;
                }
            }
        }
        return duration;
    }

    /// <summary>
    /// A point velocity the joint can still brake from before the (margin-shrunk) range end it moves
    /// toward: |v| ≤ min(limit, sqrt(2·a·room)). The last point must be at rest: a goal that ends
    /// moving asks the controller to overshoot it.
    /// </summary>
    public static double SafeVelocity(double velocity, double position, in JointLimit limit, double positionMargin, bool isLast)
    {
        if (isLast)
        {
            return 0;
        }
        double v = Math.Clamp(velocity, -limit.MaxVelocity, limit.MaxVelocity);
        if (!limit.HasPositionLimits || v == 0)
        {
            return v;
        }
        double room = v > 0 ? limit.Upper - positionMargin - position : position - (limit.Lower + positionMargin);
        double brake = Math.Sqrt(2 * limit.MaxAcceleration * Math.Max(room, 0));
        return Math.Clamp(v, -brake, brake);
    }

    /// <summary>
    /// Shortest time to move by <paramref name="displacement"/>, starting at <paramref name="startVelocity"/>
    /// and arriving at <paramref name="endVelocity"/> (both clamped to the velocity limit), under the
    /// joint's velocity and acceleration limits: the time-optimal profile, full acceleration one way
    /// then the other, cruising at the velocity limit when the peak would pass it. Moving toward the
    /// target shortens it; moving away, or too fast to arrive at the end speed in time, adds the way
    /// past the target and back. A segment shaped at constant acceleration within the limits (as
    /// <see cref="Control.JointGoalStreamer"/> makes them) needs at most its own duration.
    /// </summary>
    public static double MinimumDuration(double displacement, double startVelocity, double endVelocity, in JointLimit limit)
    {
        double vMax = limit.MaxVelocity, a = limit.MaxAcceleration;
        var (d, v0, v1, ends) = Forward(displacement, startVelocity, endVelocity, vMax);
        double best = double.PositiveInfinity;

        // Speed up to a peak above both end speeds, then slow down: (peak² − v0²)/2a + (peak² − v1²)/2a = d.
        double peak = Math.Sqrt(a * d + ends);
        if (peak >= Math.Max(v0, v1))
        {
            best = peak <= vMax
                ? (2 * peak - v0 - v1) / a
                : (2 * vMax - v0 - v1) / a + (d - (vMax * vMax - ends) / a) / vMax;
        }

        // Slow down to a valley below both end speeds, then speed up: the same balance with the valley.
        // A negative valley runs past the target and comes back (cruising backward at the limit if need be).
        double valleySquared = ends - a * d;
        if (valleySquared >= 0)
        {
            double root = Math.Sqrt(valleySquared);
            foreach (double valley in (ReadOnlySpan<double>)[root, -root])
            {
                if (valley > Math.Min(v0, v1))
                {
                    continue;
                }
                double time = valley >= -vMax
                    ? (v0 + v1 - 2 * valley) / a
                    : (v0 + v1 + 2 * vMax) / a + ((ends - vMax * vMax) / a - d) / vMax;
                best = Math.Min(best, time);
            }
        }
        return best;
    }

    /// <summary>The move mirrored so its displacement is forward: distance, end speeds toward the
    /// target (clamped to the velocity limit), and the mean of their squares.</summary>
    private static (double Distance, double V0, double V1, double Ends) Forward(double displacement, double startVelocity, double endVelocity, double vMax)
    {
        double direction = displacement >= 0 ? 1 : -1;
        double v0 = Math.Clamp(direction * startVelocity, -vMax, vMax);
        double v1 = Math.Clamp(direction * endVelocity, -vMax, vMax);
        return (Math.Abs(displacement), v0, v1, (v0 * v0 + v1 * v1) / 2);
    }

    /// <summary>
    /// The durations, longer than <see cref="MinimumDuration"/>, in which the move cannot be made:
    /// when both ends move toward the target faster than its distance needs, the joint can arrive early
    /// (slowing only a little on the way) or late (running past and coming back), but in between it
    /// would have to cover less ground than the slowest profile, decelerating to a valley ±v and back,
    /// allows. (∞, ∞) when every duration from the minimum on can be made.
    /// </summary>
    public static (double Start, double End) UnreachableWindow(double displacement, double startVelocity, double endVelocity, in JointLimit limit)
    {
        double vMax = limit.MaxVelocity, a = limit.MaxAcceleration;
        var (d, v0, v1, ends) = Forward(displacement, startVelocity, endVelocity, vMax);
        double valleySquared = ends - a * d;
        if (!(valleySquared > 0))
        {
            return (double.PositiveInfinity, double.PositiveInfinity);
        }
        double root = Math.Sqrt(valleySquared);
        if (root > Math.Min(v0, v1))
        {
            return (double.PositiveInfinity, double.PositiveInfinity);
        }
        double start = (v0 + v1 - 2 * root) / a;
        double end = root <= vMax
            ? (v0 + v1 + 2 * root) / a
            : (v0 + v1 + 2 * vMax) / a + ((ends - vMax * vMax) / a - d) / vMax;
        return (start, end);
    }
}
