using RobotBridge.Robots;
using RobotBridge.Safety;

namespace RobotBridge.Control;

/// <summary>
/// Turns a stream of joint targets, one per control period, into FollowJointTrajectory goals an arm
/// can follow within its velocity and acceleration limits. Each goal carries two points: where a
/// reference moved at constant acceleration toward the target will be one period from now (still
/// moving), then that reference braked to rest. A stream that continues replaces the braking before
/// it begins, so the arm moves smoothly across periods; a stream that stops leaves the arm braking to
/// a standstill, never coasting and never jerking to a halt.
/// </summary>
/// <remarks>
/// The reference is the setpoint the controller itself will hold. Goals built at their sending
/// (<see cref="NextSentAt"/>) are stamped and begin with that setpoint as a point due at once, so
/// robot_controllers' FollowJointTrajectoryController (and the twin, which splices as it does) runs
/// each goal as planned, whatever the transport delay; the first segment of each goal, a cubic between
/// two states joined at constant acceleration, is exactly that constant acceleration. Goals sent point-to-rest each period instead would make the
/// safety supervisor's acceleration bound (and a real arm) crawl: they can cover only a·T²/4 per period.
/// </remarks>
public sealed class JointGoalStreamer
{
    private const double MinimumBraking = 1e-6;

    /// <summary>Stopping times closer than this (s) share one knot: ten of a trajectory's 100 ns
    /// ticks, so knots never collide, while a joint waits at rest for at most a microsecond.</summary>
    private const double KnotMerge = 1e-6;

    private readonly JointGroup _group;
    private readonly double[] _maxVelocity;
    private readonly double[] _maxAcceleration;
    private readonly double _period;
    private readonly double[] _position;
    private readonly double[] _velocity;

    /// <param name="group">The joint group the goals are for.</param>
    /// <param name="limits">Limits of the group's joints, in <see cref="FetchJoints.Of"/> order.</param>
    /// <param name="period">Time between targets.</param>
    /// <param name="limitFraction">Share of each velocity and acceleration limit the reference may use;
    /// below 1 it leaves the supervisor, which measures the arm rather than the setpoint, room for tracking lag.</param>
    public JointGoalStreamer(JointGroup group, IReadOnlyList<JointLimit> limits, TimeSpan period, double limitFraction = 0.9)
    {
        int count = FetchJoints.Of(group).Count;
        if (limits.Count != count)
        {
            throw new ArgumentException($"{group} has {count} joints; got {limits.Count} limits", nameof(limits));
        }
        if (period <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "the period must be positive");
        }
        if (!(limitFraction > 0 && limitFraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(limitFraction), limitFraction, "the limit fraction must be in (0, 1]");
        }
        for (int j = 0; j < count; j++)
        {
            if (!(limits[j].MaxVelocity > 0 && limits[j].MaxAcceleration > 0))
            {
                throw new ArgumentException($"{limits[j].Joint} needs positive velocity and acceleration limits to be streamed " +
                    $"(velocity {limits[j].MaxVelocity}, acceleration {limits[j].MaxAcceleration})", nameof(limits));
            }
        }
        _group = group;
        _maxVelocity = limits.Select(l => limitFraction * l.MaxVelocity).ToArray();
        _maxAcceleration = limits.Select(l => limitFraction * l.MaxAcceleration).ToArray();
        _period = period.TotalSeconds;
        _position = new double[count];
        _velocity = new double[count];
        CompileGoalPath();
    }

    /// <summary>
    /// Builds two throw-away goals, then starts over at rest at zero: a goal built at its sending
    /// (<see cref="NextSentAt"/>) is made between the clock read that times it and the send, and the first
    /// one would otherwise wait there for the JIT, milliseconds by which the supervisor then sees it start
    /// later than planned (and retimes it, and the next few goals after it).
    /// </summary>
    private void CompileGoalPath()
    {
        var target = new double[_position.Length];
        Array.Fill(target, 0.1);
        NextSentAt(TimeSpan.Zero, target, ReadOnlySpan<double>.Empty, ReadOnlySpan<double>.Empty, double.PositiveInfinity);
        NextSentAt(TimeSpan.FromSeconds(_period / 2), target, target, target, 0.0);
        Reset(new double[_position.Length]);
    }

    /// <summary>The last goal as knots (time from its sending, positions, velocities), its start first;
    /// every segment between knots is constant acceleration per joint. Empty before the first goal.</summary>
    private readonly List<(double Time, double[] Position, double[] Velocity)> _lastGoal = [];

    /// <summary>When the last goal built by <see cref="NextSentAt"/> left, on the robot's clock; null before one.</summary>
    private TimeSpan? _lastSentAt;

    /// <summary>Where the reference will be when the last goal's first point is reached (group order).</summary>
    public ReadOnlySpan<double> Position => _position;

    /// <summary>The reference's velocity there.</summary>
    public ReadOnlySpan<double> Velocity => _velocity;

    /// <summary>Starts the reference at rest at <paramref name="position"/> (group order): where the arm
    /// stands at the start of an episode.</summary>
    public void Reset(ReadOnlySpan<double> position)
    {
        position.CopyTo(_position);
        Array.Clear(_velocity);
        _lastGoal.Clear();
        _lastSentAt = null;
    }

    /// <summary>
    /// As <see cref="Next(ReadOnlySpan{double}, TimeSpan?, ReadOnlySpan{double}, ReadOnlySpan{double}, double)"/>,
    /// for a goal built at the moment it is sent, <paramref name="sentAt"/> on the robot's clock: the time
    /// since the last goal is the time between the two sendings, which is what the controller (and the safety
    /// supervisor, which models it) sees. A goal planned when the step runs but sent on the control loop's
    /// next cycle would start from where the last goal had the setpoint at planning, up to a loop period
    /// (and a late cycle) away from where the controller has it when the goal arrives. The goal is stamped
    /// <paramref name="sentAt"/> (<see cref="JointTrajectory.StartTime"/>) and its first point, due at once,
    /// is its start (see <see cref="StampedFromItsStart"/>); the planned points follow.
    /// </summary>
    public JointTrajectory NextSentAt(TimeSpan sentAt, ReadOnlySpan<double> target,
        ReadOnlySpan<double> measuredPosition, ReadOnlySpan<double> measuredVelocity, double trackingTolerance)
    {
        TimeSpan? sinceLast = _lastSentAt is { } last ? sentAt - last : null;
        JointTrajectory planned = Next(target, sinceLast, measuredPosition, measuredVelocity, trackingTolerance);
        _lastSentAt = sentAt;
        return StampedFromItsStart(planned, sentAt);
    }

    /// <summary>
    /// As <see cref="NextSentAt"/>, from <paramref name="startPosition"/> and <paramref name="startVelocity"/>
    /// (group order) at <paramref name="sentAt"/> instead of the reference: where the safety supervisor takes
    /// the controller's setpoint to be (<see cref="Safety.ISafetyGuard.TryGetGoalStart"/>). The supervisor
    /// checks a stamped goal from there; started from a reference that had drifted from it (a joint the
    /// streamer and the supervisor judged on either side of the tracking tolerance, from measured states a
    /// few milliseconds apart), goals were retimed one after another over rosbridge (145 of 624 in served Push).
    /// </summary>
    public JointTrajectory NextSentAtFrom(TimeSpan sentAt, ReadOnlySpan<double> target, ReadOnlySpan<double> startPosition,
        ReadOnlySpan<double> startVelocity)
    {
        if (startPosition.Length != _position.Length || startVelocity.Length != _position.Length)
        {
            throw new ArgumentException($"{_group} has {_position.Length} joints; the start has {startPosition.Length} positions and {startVelocity.Length} velocities");
        }
        for (int j = 0; j < _position.Length; j++)
        {
            if (!double.IsFinite(startPosition[j]) || !double.IsFinite(startVelocity[j]))
            {
                throw new ArgumentException($"start for {FetchJoints.Of(_group)[j]} is not finite ({startPosition[j]}, {startVelocity[j]})");
            }
        }
        startPosition.CopyTo(_position);
        startVelocity.CopyTo(_velocity);
        _lastGoal.Clear(); // nothing to sample: the start is given
        return NextSentAt(sentAt, target, ReadOnlySpan<double>.Empty, ReadOnlySpan<double>.Empty, double.PositiveInfinity);
    }

    /// <summary>
    /// The planned goal stamped with its sending and led by its start state as a point due at once.
    /// robot_controllers splices a goal onto the running one by time: it keeps the running goal's knots
    /// that fall between now and the new goal's first point. Unstamped, with its first point a period
    /// on, a goal kept the last goal's braking knots of every joint that brakes within a period, so the
    /// arm braked and then had to catch up (at 1.6 × the scaled velocity limit at velocity_scale 0.25),
    /// and how much was kept changed with the transport delay. Stamped with its start, the first point
    /// is behind the controller's now when the goal arrives: nothing of the last goal is kept and the
    /// controller runs exactly this goal, from where the last one had the setpoint at the stamp.
    /// </summary>
    private JointTrajectory StampedFromItsStart(JointTrajectory planned, TimeSpan sentAt)
    {
        var (_, q0, v0) = _lastGoal[0];
        var points = new List<TrajectoryPoint>(planned.Points.Count + 2) { new((double[])q0.Clone(), (double[])v0.Clone(), TimeSpan.Zero) };
        if (planned.Points.Count == 1)
        {
            // A goal of two knots would be spliced onto the controller's last sample instead (upstream
            // splices by time only onto more than two), and a stamped start behind that sample would
            // run backwards: a knot halfway, on the same constant-acceleration segment.
            var (t1, q1, v1) = _lastGoal[1];
            double s = t1 / 2;
            var q = new double[q0.Length];
            var v = new double[q0.Length];
            for (int j = 0; j < q.Length; j++)
            {
                double a = (v1[j] - v0[j]) / t1;
                q[j] = q0[j] + v0[j] * s + a * s * s / 2;
                v[j] = v0[j] + a * s;
            }
            points.Add(new TrajectoryPoint(q, v, TimeSpan.FromSeconds(s)));
        }
        points.AddRange(planned.Points);
        return planned with { Points = points, StartTime = sentAt };
    }

    /// <summary>Advances the reference one period toward <paramref name="target"/> (group order) and
    /// returns the goal to send now.</summary>
    public JointTrajectory Next(ReadOnlySpan<double> target) => Next(target, null);

    /// <summary>
    /// As <see cref="Next(ReadOnlySpan{double})"/>, when the last goal went out
    /// <paramref name="sinceLastGoal"/> ago rather than exactly one period ago (a control step that ran
    /// late or early on a wall clock): the new goal starts where the last one has taken the
    /// controller's setpoint by now, which is where the controller will start it.
    /// </summary>
    public JointTrajectory Next(ReadOnlySpan<double> target, TimeSpan? sinceLastGoal) =>
        Next(target, sinceLastGoal, ReadOnlySpan<double>.Empty, ReadOnlySpan<double>.Empty, double.PositiveInfinity);

    /// <summary>
    /// As <see cref="Next(ReadOnlySpan{double}, TimeSpan?)"/>, starting each joint whose reference is more than
    /// <paramref name="trackingTolerance"/> from <paramref name="measuredPosition"/> (group order) at its measured
    /// position and velocity instead: a joint held back (the gripper pressing on the table or an object) no
    /// longer follows its setpoint, and the controller and the safety supervisor then start the next goal
    /// from where it is measured (<see cref="Safety.SafetySupervisor.SetpointTrackingTolerance"/>). A goal
    /// planned from the stale reference would ask that joint for more than its limits and be retimed.
    /// </summary>
    public JointTrajectory Next(ReadOnlySpan<double> target, TimeSpan? sinceLastGoal,
        ReadOnlySpan<double> measuredPosition, ReadOnlySpan<double> measuredVelocity, double trackingTolerance)
    {
        int count = _position.Length;
        if (target.Length != count)
        {
            throw new ArgumentException($"{_group} has {count} joints; the target has {target.Length}", nameof(target));
        }
        // Checked before any joint moves: a refused target sends no goal, so the reference must stay.
        for (int j = 0; j < count; j++)
        {
            if (!double.IsFinite(target[j]))
            {
                throw new ArgumentException($"target for {FetchJoints.Of(_group)[j]} is not finite ({target[j]})", nameof(target));
            }
        }
        if (sinceLastGoal is { } elapsed && _lastGoal.Count > 0 && elapsed.TotalSeconds != _period)
        {
            SampleLastGoal(Math.Max(elapsed.TotalSeconds, 0));
        }
        if (!measuredPosition.IsEmpty)
        {
            for (int j = 0; j < count; j++)
            {
                if (Math.Abs(_position[j] - measuredPosition[j]) > trackingTolerance)
                {
                    _position[j] = measuredPosition[j];
                    _velocity[j] = measuredVelocity.IsEmpty ? 0 : Math.Clamp(measuredVelocity[j], -_maxVelocity[j], _maxVelocity[j]);
                }
            }
        }
        var start = ((double[])_position.Clone(), (double[])_velocity.Clone());
        double t = _period;
        double braking = 0;
        for (int j = 0; j < count; j++)
        {
            double error = target[j] - _position[j];
            double direction = error >= 0 ? 1 : -1;
            double distance = Math.Abs(error);
            double speed = direction * _velocity[j]; // toward the target
            double a = _maxAcceleration[j], vMax = _maxVelocity[j];

            double stoppable = StoppableSpeed(distance, speed, a, t);
            double next = Math.Clamp(Math.Min(vMax, stoppable), speed - a * t, speed + a * t);
            next = Math.Clamp(next, -vMax, vMax);

            double velocity = direction * next;
            _position[j] += (_velocity[j] + velocity) / 2 * t;
            _velocity[j] = velocity;
            braking = Math.Max(braking, Math.Abs(velocity) / a);
        }

        if (braking < MinimumBraking)
        {
            // At rest to within a micro-radian per second: one point, and no braking segment shorter
            // than a trajectory's time resolution.
            Array.Clear(_velocity);
            var still = new JointTrajectory(_group, [new TrajectoryPoint((double[])_position.Clone(), new double[count], TimeSpan.FromSeconds(t))]);
            Remember(start, still, t);
            return still;
        }
        var points = new List<TrajectoryPoint>(count + 1)
        {
            new((double[])_position.Clone(), (double[])_velocity.Clone(), TimeSpan.FromSeconds(t)),
        };
        var knots = AppendBraking(points, t);
        var goal = new JointTrajectory(_group, points);
        Remember(start, goal, t, knots);
        return goal;
    }

    private void Remember((double[] Position, double[] Velocity) start, JointTrajectory goal, double period, List<double>? brakingKnots = null)
    {
        _lastGoal.Clear();
        _lastGoal.Add((0, start.Position, start.Velocity));
        for (int p = 0; p < goal.Points.Count; p++)
        {
            // Exact knot times (a point's TimeSpan keeps 100 ns ticks).
            double time = p == 0 ? period : period + brakingKnots![p - 1];
            _lastGoal.Add((time, goal.Points[p].Positions, goal.Points[p].Velocities!));
        }
    }

    /// <summary>Moves the reference to where the last goal has the setpoint <paramref name="elapsed"/> s after it was sent.</summary>
    private void SampleLastGoal(double elapsed)
    {
        var last = _lastGoal[^1];
        if (elapsed >= last.Time)
        {
            last.Position.CopyTo(_position, 0);
            Array.Clear(_velocity);
            return;
        }
        int k = 0;
        while (_lastGoal[k + 1].Time <= elapsed)
        {
            k++;
        }
        var (t0, q0, v0) = _lastGoal[k];
        var (t1, _, v1) = _lastGoal[k + 1];
        double s = elapsed - t0;
        for (int j = 0; j < _position.Length; j++)
        {
            double a = (v1[j] - v0[j]) / (t1 - t0);
            _position[j] = q0[j] + v0[j] * s + a * s * s / 2;
            _velocity[j] = v0[j] + a * s;
        }
    }

    /// <summary>
    /// The braking after the first point: every joint decelerates at its own limit and stops where that
    /// leaves it, so none runs past the distance it needs to stop. A knot at each joint's stopping time
    /// (stopping times within a microsecond share the later one) keeps every segment at constant
    /// acceleration per joint, which the controllers' cubic segments then follow exactly.
    /// </summary>
    /// <returns>The knots' exact times after the first point.</returns>
    private List<double> AppendBraking(List<TrajectoryPoint> points, double start)
    {
        var times = new List<double>(_position.Length);
        int count = _position.Length;
        Span<double> stops = stackalloc double[count];
        for (int j = 0; j < count; j++)
        {
            stops[j] = Math.Abs(_velocity[j]) / _maxAcceleration[j];
        }
        stops.Sort();
        for (int k = 0; k < count; k++)
        {
            double knot = stops[k];
            if (knot < MinimumBraking || k + 1 < count && stops[k + 1] - knot < KnotMerge)
            {
                continue; // at rest already, or merged into the next stop
            }
            var positions = new double[count];
            var velocities = new double[count];
            for (int j = 0; j < count; j++)
            {
                double v = _velocity[j], brake = Math.Sign(v) * _maxAcceleration[j];
                double stop = Math.Abs(v) / _maxAcceleration[j]; // as sorted above, so the last knot stops every joint exactly
                double tau = Math.Min(knot, stop);
                positions[j] = _position[j] + v * tau - brake * tau * tau / 2;
                velocities[j] = knot >= stop ? 0 : v - brake * knot;
            }
            points.Add(new TrajectoryPoint(positions, velocities, TimeSpan.FromSeconds(start + knot)));
            times.Add(knot);
        }
        return times;
    }

    /// <summary>
    /// The fastest speed toward the target at the end of this period from which the reference still
    /// stops on the target, braking in whole periods at constant deceleration ≤ a as it moves. From
    /// v = m·a·t + r (0 ≤ r &lt; a·t), shedding a·t a period and r in the last, the stop covers
    /// t·(m+1)(m·a·t + 2r)/2 − v·t/2; with this period's (speed + v)·t/2 that is the distance.
    /// The continuous braking distance v²/2a undercounts whole-period braking: aimed by it, the
    /// reference arrives too close with too much speed and then chatters just short of the target
    /// (velocity flipping sign every period) instead of landing on it.
    /// </summary>
    private static double StoppableSpeed(double distance, double speed, double a, double t)
    {
        double budget = distance - speed * t / 2;
        double shed = a * t;
        // Already too close to stop (budget < 0) extends the last piece linearly: the reference lands
        // a little past, or turns back, instead of jumping to full braking on a rounding error.
        double m = budget > 0 ? Math.Floor((Math.Sqrt(1 + 8 * budget / (shed * t)) - 1) / 2) : 0;
        return m * shed / 2 + budget / (t * (m + 1));
    }
}
