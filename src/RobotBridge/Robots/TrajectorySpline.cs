namespace RobotBridge.Robots;

/// <summary>One knot of a <see cref="TrajectorySpline"/>: an absolute time (s, on the controller's clock),
/// positions and, when the point carried them, velocities and accelerations (group order).</summary>
public sealed record SplineKnot(double Time, double[] Q, double[]? Qd, double[]? Qdd);

/// <summary>
/// The executable trajectory of a FollowJointTrajectory controller, built and sampled as the Fetch's
/// robot_controllers does (follow_joint_trajectory.cpp, trajectory.h, trajectory_spline_sampler.h):
/// <list type="bullet">
/// <item>each segment is quintic when its first knot carries accelerations, cubic when it carries
/// velocities, linear otherwise;</item>
/// <item>a fresh trajectory starts from the measured positions with zero velocity (a single point
/// always; several points when the first is not at time 0 or the start lies in the future), and
/// <c>header.stamp</c> (<see cref="JointTrajectory.StartTime"/>) places the points in time;</item>
/// <item>a trajectory that preempts a running one is spliced onto it (its remaining knots, or the last
/// sample when it had at most two), with no stop in between;</item>
/// <item>continuous joints are wound up knot to knot the shortest way.</item>
/// </list>
/// Where upstream misbehaves (a one-knot or zero-length linear segment divides by zero) this returns
/// the knot's position instead. Immutable; sampling allocates nothing.
/// </summary>
public sealed class TrajectorySpline
{
    private readonly SplineKnot[] _knots;
    private readonly double[][] _coefficients; // per segment: 6 per joint (quintic, cubic and linear in one form)
    private readonly int _joints;

    private TrajectorySpline(SplineKnot[] knots)
    {
        _knots = knots;
        _joints = knots[0].Q.Length;
        int segments = Math.Max(1, knots.Length - 1);
        _coefficients = new double[segments][];
        for (int s = 0; s < segments; s++)
        {
            var c = new double[6 * _joints];
            SplineKnot a = knots[s], b = knots[Math.Min(s + 1, knots.Length - 1)];
            double t = b.Time - a.Time;
            for (int j = 0; j < _joints; j++)
            {
                Span<double> k = c.AsSpan(6 * j, 6);
                if (t <= 0)
                {
                    // Zero-length segment: the far knot at once (its velocity and acceleration if given).
                    k[0] = b.Q[j];
                    k[1] = b.Qd?[j] ?? 0;
                    k[2] = 0.5 * (b.Qdd?[j] ?? 0);
                }
                else if (a.Qdd is not null)
                {
                    Quintic(a.Q[j], a.Qd?[j] ?? 0, a.Qdd[j], b.Q[j], b.Qd?[j] ?? 0, b.Qdd?[j] ?? 0, t, k);
                }
                else if (a.Qd is not null)
                {
                    Cubic(a.Q[j], a.Qd[j], b.Q[j], b.Qd?[j] ?? 0, t, k);
                }
                else
                {
                    k[0] = a.Q[j];
                    k[1] = (b.Q[j] - a.Q[j]) / t;
                }
            }
            _coefficients[s] = c;
        }
    }

    public IReadOnlyList<SplineKnot> Knots => _knots;

    /// <summary>Time of the last knot: the trajectory's end time.</summary>
    public double EndTime => _knots[^1].Time;

    /// <summary>Time of the first knot: nothing is commanded before it.</summary>
    public double StartTime => _knots[0].Time;

    /// <summary>True when segments carry velocities (cubic or quintic): the last sample can be spliced with them.</summary>
    public bool HasVelocities => _knots[0].Qd is not null;

    public bool HasAccelerations => _knots[0].Qdd is not null;

    /// <summary>Setpoint at time <paramref name="t"/> (clamped to the end); false before the first segment
    /// starts (upstream commands nothing then). Linear segments give their slope as velocity.</summary>
    public bool Sample(double t, Span<double> q, Span<double> qd, Span<double> qdd)
    {
        if (t < _knots[0].Time)
        {
            return false;
        }
        int segment = 0;
        while (segment + 1 < _coefficients.Length && _knots[segment + 1].Time < t)
        {
            segment++;
        }
        double end = _knots[Math.Min(segment + 1, _knots.Length - 1)].Time;
        double x = Math.Min(t, end) - _knots[segment].Time;
        if (x < 0)
        {
            x = 0;
        }
        double[] c = _coefficients[segment];
        double x2 = x * x, x3 = x2 * x, x4 = x3 * x, x5 = x4 * x;
        for (int j = 0; j < _joints; j++)
        {
            ReadOnlySpan<double> k = c.AsSpan(6 * j, 6);
            q[j] = k[0] + k[1] * x + k[2] * x2 + k[3] * x3 + k[4] * x4 + k[5] * x5;
            qd[j] = k[1] + 2 * k[2] * x + 3 * k[3] * x2 + 4 * k[4] * x3 + 5 * k[5] * x4;
            qdd[j] = 2 * k[2] + 6 * k[3] * x + 12 * k[4] * x2 + 20 * k[5] * x3;
        }
        return true;
    }

    /// <summary>The sample at <paramref name="t"/> as a knot, carrying velocities/accelerations only when the
    /// segments do (what upstream keeps as last_sample_ for a splice).</summary>
    public SplineKnot SampleKnot(double t)
    {
        var q = new double[_joints];
        var qd = new double[_joints];
        var qdd = new double[_joints];
        if (!Sample(t, q, qd, qdd))
        {
            return _knots[0] with { Time = t };
        }
        return new SplineKnot(t, q, HasVelocities ? qd : null, HasAccelerations ? qdd : null);
    }

    /// <summary>The goal's points on the controller's clock: <paramref name="startTime"/> + time_from_start.</summary>
    private static List<SplineKnot> Points(JointTrajectory goal, double startTime) =>
        [.. goal.Points.Select(p => new SplineKnot(startTime + p.TimeFromStart.TotalSeconds,
            (double[])p.Positions.Clone(), (double[]?)p.Velocities?.Clone(), (double[]?)p.Accelerations?.Clone()))];

    /// <summary>A trajectory on an idle controller (nothing to splice onto): it starts from
    /// <paramref name="measured"/> at rest.</summary>
    /// <param name="startTime">header.stamp on the controller's clock (or <paramref name="now"/> when zero).</param>
    /// <param name="continuous">Per group joint: continuous (wound up the shortest way).</param>
    public static TrajectorySpline Start(JointTrajectory goal, double startTime, double now, ReadOnlySpan<double> measured, IReadOnlyList<bool> continuous)
    {
        ArgumentNullException.ThrowIfNull(goal);
        List<SplineKnot> points = Points(goal, startTime);
        SplineKnot first = points[0];
        var current = new SplineKnot(now, measured.ToArray(),
            first.Qd is null ? null : new double[measured.Length], first.Qdd is null ? null : new double[measured.Length]);
        if (points.Count == 1 || goal.Points[0].TimeFromStart > TimeSpan.Zero || first.Time > now)
        {
            points.Insert(0, current);
        }
        return new TrajectorySpline(WindUp(points, continuous));
    }

    /// <summary>A trajectory that preempts <paramref name="running"/> at <paramref name="now"/>: spliced onto
    /// its remaining knots, or onto its last sample when it had at most two knots.</summary>
    public static TrajectorySpline Splice(TrajectorySpline running, JointTrajectory goal, double startTime, double now, IReadOnlyList<bool> continuous)
    {
        ArgumentNullException.ThrowIfNull(running);
        ArgumentNullException.ThrowIfNull(goal);
        List<SplineKnot> incoming = Points(goal, startTime);
        SplineKnot[] old = running._knots.Length > 2 ? running._knots : [running.SampleKnot(now)];
        double from = running._knots.Length > 2 ? now : 0.0;
        bool velocities = old[0].Qd is not null && incoming[0].Qd is not null;
        bool accelerations = old[0].Qdd is not null && incoming[0].Qdd is not null;
        var knots = new List<SplineKnot>();
        double startIncoming = incoming[0].Time;
        for (int p = 0; p < old.Length; p++)
        {
            if (old[p].Time >= from && old[p].Time < startIncoming)
            {
                if (old[p].Time > from && knots.Count == 0 && p > 0)
                {
                    knots.Add(old[p - 1]);
                }
                knots.Add(old[p]);
            }
        }
        for (int p = 0; p < incoming.Count; p++)
        {
            if (incoming[p].Time >= from)
            {
                if (incoming[p].Time > from && knots.Count == 0)
                {
                    knots.Add(p > 0 ? incoming[p - 1] : old[^1]);
                }
                knots.Add(incoming[p]);
            }
        }
        if (knots.Count == 0)
        {
            // Every point lies in the past: the last one at once (upstream would have nothing to sample).
            knots.Add(incoming[^1]);
        }
        for (int i = 0; i < knots.Count; i++)
        {
            knots[i] = knots[i] with { Qd = velocities ? knots[i].Qd : null, Qdd = accelerations ? knots[i].Qdd : null };
        }
        return new TrajectorySpline(WindUp(knots, continuous));
    }

    /// <summary>Each continuous joint's knot is moved by whole turns to lie within π of the previous one,
    /// so the spline turns it the shortest way (upstream windupTrajectory).</summary>
    private static SplineKnot[] WindUp(List<SplineKnot> knots, IReadOnlyList<bool> continuous)
    {
        var result = knots.ToArray();
        for (int p = 1; p < result.Length; p++)
        {
            double[]? wound = null;
            for (int j = 0; j < continuous.Count; j++)
            {
                if (!continuous[j])
                {
                    continue;
                }
                double previous = result[p - 1].Q[j];
                double target = previous + ShortestAngularDistance(previous, result[p].Q[j]);
                if (target != result[p].Q[j])
                {
                    wound ??= (double[])result[p].Q.Clone();
                    wound[j] = target;
                }
            }
            if (wound is not null)
            {
                result[p] = result[p] with { Q = wound };
            }
        }
        return result;
    }

    /// <summary>The signed angle in (−π, π] that turns <paramref name="from"/> onto <paramref name="to"/>.</summary>
    public static double ShortestAngularDistance(double from, double to)
    {
        double d = Math.IEEERemainder(to - from, 2 * Math.PI);
        return d <= -Math.PI ? d + 2 * Math.PI : d;
    }

    private static void Quintic(double p0, double v0, double a0, double p1, double v1, double a1, double t, Span<double> k)
    {
        double t2 = t * t, t3 = t2 * t, t4 = t3 * t, t5 = t4 * t;
        k[0] = p0;
        k[1] = v0;
        k[2] = 0.5 * a0;
        k[3] = (-20 * p0 + 20 * p1 - 3 * a0 * t2 + a1 * t2 - 12 * v0 * t - 8 * v1 * t) / (2 * t3);
        k[4] = (30 * p0 - 30 * p1 + 3 * a0 * t2 - 2 * a1 * t2 + 16 * v0 * t + 14 * v1 * t) / (2 * t4);
        k[5] = (-12 * p0 + 12 * p1 - a0 * t2 + a1 * t2 - 6 * v0 * t - 6 * v1 * t) / (2 * t5);
    }

    private static void Cubic(double p0, double v0, double p1, double v1, double t, Span<double> k)
    {
        double t2 = t * t, t3 = t2 * t;
        k[0] = p0;
        k[1] = v0;
        k[2] = (3 * p1 - 3 * p0 - 2 * v0 * t - v1 * t) / t2;
        k[3] = (-2 * p1 + 2 * p0 + v0 * t + v1 * t) / t3;
    }
}
