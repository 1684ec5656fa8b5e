using RobotBridge.Robots;

namespace RobotBridge.Safety;

/// <summary>
/// Makes a joint trajectory respect the joint limits where that can be done safely: positions are
/// clamped inside the range (minus the margin), given point velocities to what the joint can brake
/// from (zero at the last point), and point
/// times are stretched so no segment needs more than the velocity or acceleration limit (a
/// rest-to-rest trapezoid bound, conservative for through-points). Never makes a trajectory faster.
/// </summary>
public static class TrajectoryLimiter
{
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
        for (int j = 0; j < joints.Count; j++)
        {
            index[j] = FetchJoints.IndexOf(joints[j]);
            previous[j] = current[index[j]];
        }

        clamped = false;
        var points = new TrajectoryPoint[trajectory.Points.Count];
        TimeSpan previousTime = TimeSpan.Zero;
        TimeSpan shift = TimeSpan.Zero;
        for (int p = 0; p < points.Length; p++)
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
                double startVelocity = p == 0 && !currentVelocity.IsEmpty ? currentVelocity[index[j]] : 0;
                minDuration = Math.Max(minDuration, MinimumDuration(positions[j] - previous[j], startVelocity, limit));
                previous[j] = positions[j];
            }

            TimeSpan requested = point.TimeFromStart - previousTime;
            TimeSpan needed = TimeSpan.FromSeconds(minDuration);
            if (needed > requested)
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
    /// Shortest time to move by <paramref name="displacement"/> and stop there, starting at
    /// <paramref name="startVelocity"/> (clamped to the velocity limit), under the joint's velocity and
    /// acceleration limits. Moving toward the target shortens it below the rest-to-rest time; moving
    /// away, or too fast to stop in time, adds the braking and the way back.
    /// </summary>
    public static double MinimumDuration(double displacement, double startVelocity, in JointLimit limit)
    {
        double vMax = limit.MaxVelocity, a = limit.MaxAcceleration;
        double d = Math.Abs(displacement);
        double v0 = Math.Clamp(displacement >= 0 ? startVelocity : -startVelocity, -vMax, vMax); // speed toward the target
        if (v0 <= 0)
        {
            // Brake to a stop (moving away adds that distance), then rest to rest.
            return -v0 / a + RestToRest(d + v0 * v0 / (2 * a), vMax, a);
        }
        double braking = v0 * v0 / (2 * a);
        if (braking > d)
        {
            // Too fast to stop at the target: brake past it, then come back.
            return v0 / a + RestToRest(braking - d, vMax, a);
        }
        // Speed up from v0 to a peak, then brake to rest at the target: (peak² − v0²)/2a + peak²/2a = d.
        double peak = Math.Sqrt(a * d + v0 * v0 / 2);
        if (peak <= vMax)
        {
            return (2 * peak - v0) / a;
        }
        double cruise = d - (2 * vMax * vMax - v0 * v0) / (2 * a);
        return (2 * vMax - v0) / a + cruise / vMax;
    }

    /// <summary>Shortest rest-to-rest time over <paramref name="distance"/> (triangular or trapezoidal profile).</summary>
    private static double RestToRest(double distance, double vMax, double a)
    {
        if (distance <= 0)
        {
            return 0;
        }
        return distance <= vMax * vMax / a
            ? 2 * Math.Sqrt(distance / a)
            : distance / vMax + vMax / a;
    }
}
