using RobotBridge.Robots;

namespace RobotBridge.Safety;

/// <summary>
/// The setpoint each joint's trajectory controller follows, modelled from the goals the supervisor
/// forwarded: a goal starts from the setpoint at its stamp (the moment it is sent when unstamped; a
/// point due at once replaces that start, as a stamped streamed goal's does), passes through its points
/// (cubic where both ends carry velocities, linear otherwise) and then holds the last one, which is how
/// robot_controllers' FollowJointTrajectoryController and the twin execute goals. The supervisor times
/// a new goal's first segment from here, where the controller will start it: the measured state lags
/// the setpoint by the tracking error, and timing a streamed goal from that lag asks for accelerations
/// nobody commands. Thread-safe.
/// </summary>
internal sealed class CommandedSetpoints
{
    private readonly object _gate = new();
    private readonly Plan?[] _plans = new Plan?[FetchJoints.Count];
    private TimeSpan _lastForwarded = TimeSpan.MinValue;

    /// <summary>Records a goal forwarded at <paramref name="now"/> that starts at <paramref name="at"/> (its
    /// stamp, or <paramref name="now"/>) from the start state <paramref name="position"/>,
    /// <paramref name="velocity"/> (full <see cref="FetchJoints.All"/> vectors).</summary>
    public void Forwarded(JointTrajectory goal, TimeSpan now, TimeSpan at, ReadOnlySpan<double> position, ReadOnlySpan<double> velocity)
    {
        var joints = FetchJoints.Of(goal.Group);
        int knots = goal.Points.Count + 1;
        lock (_gate)
        {
            ForgetIfTimeWentBackLocked(now);
            PreemptLocked(joints);
            _lastForwarded = now;
            for (int j = 0; j < joints.Count; j++)
            {
                int index = FetchJoints.IndexOf(joints[j]);
                var plan = new Plan(goal.Group, new double[knots], new double[knots], new double[knots]);
                plan.Times[0] = at.TotalSeconds;
                plan.Positions[0] = position[index];
                plan.Velocities[0] = velocity[index];
                for (int p = 0; p < goal.Points.Count; p++)
                {
                    TrajectoryPoint point = goal.Points[p];
                    plan.Times[p + 1] = at.TotalSeconds + point.TimeFromStart.TotalSeconds;
                    plan.Positions[p + 1] = point.Positions[j];
                    plan.Velocities[p + 1] = point.Velocities?[j] ?? double.NaN;
                }
                if (plan.Times[1] <= plan.Times[0])
                {
                    plan.Times[0] = plan.Times[1] - 1e-9; // a point due at once replaces the start
                }
                _plans[index] = plan;
            }
        }
    }

    /// <summary>The modelled setpoint of joint <paramref name="joint"/> (index into
    /// <see cref="FetchJoints.All"/>) at <paramref name="at"/> (now, or a stamp shortly before
    /// <paramref name="now"/>); false when nothing is known of it: no goal since the last stop, or the
    /// clock has not moved on since the goal started.</summary>
    public bool TrySample(int joint, TimeSpan at, TimeSpan now, out double position, out double velocity)
    {
        Plan? plan;
        lock (_gate)
        {
            ForgetIfTimeWentBackLocked(now);
            plan = _plans[joint];
        }
        // A clock standing at (or back before) the goal's start is a clock that was reset, as the
        // twin's is when it restores an episode's start state: that goal no longer describes the arm.
        if (plan is null || at.TotalSeconds <= plan.Times[0])
        {
            position = velocity = 0;
            return false;
        }
        plan.Sample(at.TotalSeconds, out position, out velocity);
        return true;
    }

    /// <summary>A command for <paramref name="joints"/> (an arm twist) went to the robot: it ends every goal
    /// that shares a joint with it, and the ended goal's other joints hold where they are (a twist ends an
    /// arm_with_torso goal, torso included), so their plans no longer say where they go.</summary>
    public void Preempted(IReadOnlyList<string> joints)
    {
        lock (_gate)
        {
            PreemptLocked(joints);
        }
    }

    private void PreemptLocked(IReadOnlyList<string> joints)
    {
        for (int i = 0; i < _plans.Length; i++)
        {
            if (_plans[i] is { } plan && FetchJoints.Of(plan.Group).Any(joints.Contains))
            {
                _plans[i] = null;
            }
        }
    }

    /// <summary>When (s, on the robot's clock) the last goal planned for a joint outside <paramref name="own"/>
    /// ends, or null when no such joint has one.</summary>
    public double? LatestEndOutside(IReadOnlyList<string> own)
    {
        lock (_gate)
        {
            double? latest = null;
            for (int i = 0; i < _plans.Length; i++)
            {
                if (_plans[i] is { } plan && !own.Contains(FetchJoints.All[i]))
                {
                    latest = Math.Max(latest ?? double.NegativeInfinity, plan.Times[^1]);
                }
            }
            return latest;
        }
    }

    /// <summary>Forgets every goal: after a stop the controllers hold where the joints are.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            Array.Clear(_plans);
            _lastForwarded = TimeSpan.MinValue;
        }
    }

    private void ForgetIfTimeWentBackLocked(TimeSpan at)
    {
        if (at < _lastForwarded)
        {
            Array.Clear(_plans);
            _lastForwarded = TimeSpan.MinValue;
        }
    }

    /// <summary>One joint's knots: the start, then each point (velocity NaN where the point has none), and
    /// the group of the goal they came from.</summary>
    private sealed record Plan(JointGroup Group, double[] Times, double[] Positions, double[] Velocities)
    {
        public void Sample(double t, out double position, out double velocity)
        {
            int last = Times.Length - 1;
            if (t >= Times[last])
            {
                position = Positions[last];
                velocity = 0;
                return;
            }
            int k = 0;
            while (Times[k + 1] <= t)
            {
                k++;
            }
            double h = Times[k + 1] - Times[k], s = (t - Times[k]) / h;
            double p0 = Positions[k], p1 = Positions[k + 1], v0 = Velocities[k], v1 = Velocities[k + 1];
            if (double.IsNaN(v0) || double.IsNaN(v1))
            {
                position = p0 + s * (p1 - p0);
                velocity = (p1 - p0) / h;
                return;
            }
            double s2 = s * s, s3 = s2 * s;
            position = (2 * s3 - 3 * s2 + 1) * p0 + (s3 - 2 * s2 + s) * h * v0 + (-2 * s3 + 3 * s2) * p1 + (s3 - s2) * h * v1;
            velocity = ((6 * s2 - 6 * s) * p0 + (-6 * s2 + 6 * s) * p1) / h + (3 * s2 - 4 * s + 1) * v0 + (3 * s2 - 2 * s) * v1;
        }
    }
}
