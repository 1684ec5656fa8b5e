using RobotBridge.Model;
using RobotBridge.Robots;
using RobotBridge.Safety;

namespace RobotBridge.Tasks;

/// <summary>Speeds and bounds of <see cref="RobotTaskWorld"/>'s move to the start pose.</summary>
public sealed record RobotTaskWorldOptions
{
    /// <summary>Fraction of each joint's URDF velocity limit used when moving home.</summary>
    public double SpeedFraction { get; init; } = 0.25;

    /// <summary>Fraction of each joint's acceleration limit (the guard's safety config's) used when moving
    /// home: every waypoint of the move is a stop, so each segment needs time to speed up and brake.</summary>
    public double AccelerationFraction { get; init; } = 0.5;

    /// <summary>Height above the table the gripper is lifted to before swinging to the start pose.</summary>
    public double ClearanceAboveTable { get; init; } = 0.25;

    /// <summary>Largest joint error (rad or m) at which the robot counts as home.</summary>
    public double Tolerance { get; init; } = 0.03;

    /// <summary>Time allowed beyond the planned duration before the reset fails.</summary>
    public TimeSpan Slack { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait for a first joint state.</summary>
    public TimeSpan StateTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long, after the object was placed (the operator confirmed), the tracker may take to
    /// report the object measured after that.</summary>
    public TimeSpan ObjectTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a runstop the robot reports may take to clear before the reset fails saying so: a
    /// release just sent (an operator's reset) shows in the robot's 10 Hz runstop state within this.</summary>
    public TimeSpan RunstopTimeout { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// Episode set-up on a real body (a Fetch, or a twin served over rosbridge): the arm first lifts the
/// gripper straight up clear of the table, swings to above the start grip position, then descends to
/// the start pose, at a quarter of its speed limits, torso and head in parallel; the
/// reset returns only when every joint is there. Object tasks have the object placed (by the operator,
/// or by a served twin: <see cref="IObjectPlacement"/>), then wait for the <see cref="IObjectTracker"/>
/// to report it measured after that.
/// </summary>
public sealed class RobotTaskWorld : ITaskWorld
{
    private readonly IRobot _robot;
    private readonly FetchTaskSpec _spec;
    private readonly FetchArmKinematics _arm;
    private readonly IObjectTracker? _tracker;
    private readonly IObjectPlacement? _placement;
    private readonly RobotTaskWorldOptions _options;
    private readonly RobotState _state = new();
    private readonly ISafetyGuard? _guard;

    /// <summary>How far inside the supervisor's joint ranges (beyond its margin) the waypoints are kept (rad).</summary>
    private const double RangeAllowance = 0.01;

    private readonly double _rangeMargin;

    /// <summary>Where the last reset left the arm's controller holding it (arm order), or null.</summary>
    private double[]? _hold;

    /// <summary>The arm's limits the move home keeps to: the guard's safety limits scaled by the options.</summary>
    private readonly JointLimit[] _homeLimits;

    /// <param name="guard">The safety guard in front of <paramref name="robot"/>, when it has one: a stop
    /// during the move home ends the wait at once and names its cause.</param>
    public RobotTaskWorld(IRobot robot, FetchTaskSpec spec, RobotModel model, IObjectTracker? tracker = null,
        IObjectPlacement? placement = null, RobotTaskWorldOptions? options = null, ISafetyGuard? guard = null)
    {
        if (spec.HasObject && (tracker is null || placement is null))
        {
            throw new ArgumentException(
                $"Fetch{spec.Kind} on a real robot needs an object tracker (where the object is) and an object placement " +
                "(an operator prompt, to place it each episode); neither may be missing. Reach needs neither.");
        }
        _robot = robot;
        _spec = spec;
        _arm = new FetchArmKinematics(model);
        _options = options ?? new RobotTaskWorldOptions();
        // The guard's limits when there is one (a deploy's --safety-config), as the env streams within.
        SafetyConfig safety = guard?.Config ?? SafetyConfig.Default();
        _rangeMargin = safety.PositionMargin + RangeAllowance;
        IReadOnlyList<JointLimit> limits = ModelSafety.Limits(model, safety).Joints;
        _homeLimits = new JointLimit[FetchJoints.Arm.Count];
        for (int i = 0; i < _homeLimits.Length; i++)
        {
            JointLimit limit = limits[FetchJoints.IndexOf(FetchJoints.Arm[i])];
            _homeLimits[i] = limit with
            {
                MaxVelocity = _options.SpeedFraction * Math.Min(limit.MaxVelocity, _arm.ArmVelocityLimits[i]),
                MaxAcceleration = _options.AccelerationFraction * limit.MaxAcceleration,
            };
        }
        _tracker = tracker;
        _placement = placement;
        _guard = guard;
    }

    /// <summary>Where the object's state comes from (null for Reach).</summary>
    public IObjectTracker? Tracker => _tracker;

    public void PrepareEpisode(ReadOnlySpan<double> startJoints, Vec3? objectPosition, CancellationToken cancellationToken = default)
    {
        _hold = null;
        WaitForState(cancellationToken);
        double[] start = startJoints.ToArray();
        var armIndices = FetchJoints.Arm.Select(FetchJoints.IndexOf).ToArray();
        double[] current = armIndices.Select(i => _state.Position[i]).ToArray();
        double[] goal = armIndices.Select(i => start[i]).ToArray();

        // Lift first, then swing to a point above the start grip position, then descend: a straight
        // joint-space swing from the tucked pose to a start just above the table sweeps the gripper
        // through the table's near edge (down to z 0.33 m for Reach, 0.28 m for Push, with the table top
        // at 0.40). The point above the start is solved warm-started from the start joints, so it lies on
        // their IK branch and the descent is short; solved from the tucked pose it would wind the upper
        // arm a whole turn. From the tucked pose this path keeps the gripper at z >= 0.43 m over the table
        // (ModelGripperKinematics, ten samples a segment; Reach and Push alike).
        Vec3 grip = _arm.GripPosition(_state.Position);
        double clearZ = Math.Max(grip.Z, FetchTaskSpec.TableTop + _options.ClearanceAboveTable);
        var points = new List<TrajectoryPoint>();
        TimeSpan t = TimeSpan.Zero;
        var lifted = new double[current.Length];
        if (clearZ - grip.Z > 0.01 && _arm.TrySolveStep(_state.Position, grip with { Z = clearZ }, lifted))
        {
            KeepInRange(lifted);
            t += Duration(current, lifted);
            points.Add(new TrajectoryPoint(lifted, null, t));
            current = lifted;
        }
        var above = new double[current.Length];
        if (_arm.TrySolveStep(start, _arm.GripPosition(start) with { Z = clearZ }, above))
        {
            KeepInRange(above);
            t += Duration(current, above);
            points.Add(new TrajectoryPoint(above, null, t));
            current = above;
        }
        t += Duration(current, goal);
        points.Add(new TrajectoryPoint(goal, null, t));
        // Read once more before sending: a supervisor checks the path against the state it read last
        // and refuses it if that is older than its bound (0.2 s shipped), which the IK above can take
        // on a loaded machine. The arm is at rest, so the plan still starts where it is.
        _robot.ReadState(_state);
        // Failures from before these goals belong to the last episode's.
        long failuresBefore = _robot.LastCommandFailure?.Sequence ?? 0;
        _robot.SendTrajectory(new JointTrajectory(JointGroup.Arm, points));

        double[] torso = [start[FetchJoints.IndexOf(FetchJoints.TorsoLift)]];
        double[] head = [start[FetchJoints.IndexOf(FetchJoints.HeadPan)], start[FetchJoints.IndexOf(FetchJoints.HeadTilt)]];
        _robot.SendTrajectory(new JointTrajectory(JointGroup.Torso, [new TrajectoryPoint(torso, null, TimeSpan.FromSeconds(Math.Max(1, t.TotalSeconds)))]));
        _robot.SendTrajectory(new JointTrajectory(JointGroup.Head, [new TrajectoryPoint(head, null, TimeSpan.FromSeconds(Math.Max(1, t.TotalSeconds)))]));
        _robot.SendGripper(0, 60);

        WaitUntilHome(start, t + _options.Slack, failuresBefore, cancellationToken);
        Settle(failuresBefore, cancellationToken);

        if (objectPosition is Vec3 p && _placement is not null)
        {
            string what = _spec.Kind == FetchTaskKind.Slide ? "puck" : "5 cm cube";
            _placement.Place(p, what, cancellationToken);
            WaitForObject(what, cancellationToken);
        }
    }

    /// <summary>An episode starts only from an object pose measured after it was placed: one
    /// from before would be where the object was, not where it is.</summary>
    private void WaitForObject(string what, CancellationToken cancellationToken)
    {
        TimeSpan placed = _robot.Clock.Now;
        TimeSpan deadline = placed + _options.ObjectTimeout;
        while (!(_tracker!.TryGetObjectState(out ObjectState state) && state.Stamp >= placed))
        {
            if (_robot.Clock.Now > deadline)
            {
                throw new TaskResetException(
                    $"the object tracker has not reported the {what} within {_options.ObjectTimeout.TotalSeconds:F1} s of its placing " +
                    "(is it in view of the detector, and is its pose published in base_link?)");
            }
            _robot.Clock.WaitUntil(_robot.Clock.Now + TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    public bool TryGetObjectState(out ObjectState state)
    {
        if (_tracker is null)
        {
            state = default;
            return false;
        }
        return _tracker.TryGetObjectState(out state);
    }

    public void Dispose()
    {
    }

    /// <summary>Keeps an IK waypoint (arm order) inside the supervisor's joint ranges: lifting the gripper from
    /// where an episode left it can ask the shoulder to rise past its margin, which the supervisor clamped
    /// (counted) on the way home. Kept here a little further inside, the arm moves as the supervisor made it move.</summary>
    private void KeepInRange(double[] arm)
    {
        for (int i = 0; i < arm.Length; i++)
        {
            arm[i] = _homeLimits[i].ClampPosition(arm[i], _rangeMargin);
        }
    }

    /// <summary>How long the move home takes from <paramref name="from"/> to <paramref name="to"/> (arm joints),
    /// stopping at both: the time-optimal rest-to-rest move within the scaled limits, as the safety supervisor
    /// times waypoints without velocities. Timed by the velocity limit alone, a short segment asked for more
    /// than the acceleration limit and the supervisor stretched it, once every episode.</summary>
    private TimeSpan Duration(ReadOnlySpan<double> from, ReadOnlySpan<double> to)
    {
        double seconds = 0.5;
        for (int i = 0; i < from.Length; i++)
        {
            seconds = Math.Max(seconds, TrajectoryLimiter.MinimumDuration(to[i] - from[i], 0, 0, _homeLimits[i]));
        }
        // Whole milliseconds, rounded up: the supervisor compares in 100 ns ticks.
        return TimeSpan.FromMilliseconds(Math.Ceiling(seconds * 1000));
    }

    private void WaitForState(CancellationToken cancellationToken)
    {
        TimeSpan deadline = _robot.Clock.Now + _options.StateTimeout;
        TimeSpan? runstopDeadline = null;
        while (true)
        {
            _robot.ReadState(_state);
            if (_state.IsValid && _robot.Link == LinkStatus.Connected)
            {
                if (!_state.Runstopped)
                {
                    return;
                }
                // A runstop engaged earlier (by another process's safety stop, or the button) outlives the
                // process that engaged it. Nobody here releases it: the goals would be aborted unmoved, so
                // the reset says why at once instead of timing out on an arm that never moves.
                runstopDeadline ??= _robot.Clock.Now + _options.RunstopTimeout;
                if (_robot.Clock.Now > runstopDeadline)
                {
                    throw new TaskResetException(
                        "the robot reports its runstop engaged, so nothing can move; release it where it was engaged " +
                        "(on a Fetch: rostopic pub -1 /enable_software_runstop std_msgs/Bool false, or press and release the runstop button)");
                }
            }
            else if (_robot.Clock.Now > deadline)
            {
                throw new TaskResetException($"no joint state from the robot within {_options.StateTimeout.TotalSeconds:F0} s (link {_robot.Link})");
            }
            _robot.Clock.WaitUntil(_robot.Clock.Now + TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    /// <summary>
    /// Ends the move home with the arm's setpoint at rest where the arm stands. The wait above ends as
    /// soon as the arm is within tolerance, while the controller may still be finishing the move (the
    /// supervisor may have slowed it); an episode streamed from the measured pose would then start from
    /// a setpoint the controller does not have, and the supervisor would retime every goal that follows.
    /// </summary>
    private void Settle(long failuresBefore, CancellationToken cancellationToken)
    {
        // First let the move home run out: the arm stops moving only once the controller's setpoint has.
        TimeSpan deadline = _robot.Clock.Now + SettleTimeout;
        int still = 0;
        while (still < 3 && _robot.Clock.Now < deadline)
        {
            _robot.Clock.WaitUntil(_robot.Clock.Now + TimeSpan.FromMilliseconds(20), cancellationToken);
            _robot.ReadState(_state);
            bool moving = FetchJoints.Arm.Any(j => Math.Abs(_state.Velocity[FetchJoints.IndexOf(j)]) > RestSpeed);
            still = moving ? 0 : still + 1;
        }
        _robot.ReadState(_state);
        double[] here = FetchJoints.Arm.Select(j => _state.Position[FetchJoints.IndexOf(j)]).ToArray();
        _robot.SendTrajectory(new JointTrajectory(JointGroup.Arm, [new TrajectoryPoint(here, new double[here.Length], SettleTime)]));
        _robot.Clock.WaitUntil(_robot.Clock.Now + SettleTime + SettleTime, cancellationToken);
        ThrowIfRefused(failuresBefore);
        _hold = here;
    }

    /// <summary>The settling goal's point: where the controller holds the arm once the reset has returned.</summary>
    public bool TryGetArmHold(Span<double> arm)
    {
        if (_hold is null)
        {
            return false;
        }
        _hold.CopyTo(arm);
        return true;
    }

    /// <summary>A trajectory goal of the move home that the robot did not carry out (RECALLED, ABORTED, …)
    /// ends the reset at once, naming the status and the controller's text: waiting would only time out.</summary>
    private void ThrowIfRefused(long failuresBefore)
    {
        if (_robot.LastCommandFailure is { Group: not null } failure && failure.Sequence > failuresBefore)
        {
            _robot.Stop("the robot did not carry out the move to the start pose");
            throw new TaskResetException($"the robot did not carry out the move to the start pose: {failure}");
        }
    }

    private static readonly TimeSpan SettleTime = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Joint speed (rad/s) below which the arm counts as at rest.</summary>
    private const double RestSpeed = 0.01;

    private void WaitUntilHome(double[] start, TimeSpan allowed, long failuresBefore, CancellationToken cancellationToken)
    {
        TimeSpan deadline = _robot.Clock.Now + allowed;
        while (true)
        {
            _robot.ReadState(_state);
            double worst = 0;
            string worstJoint = "";
            foreach (var joints in new[] { FetchJoints.ArmWithTorso, FetchJoints.Head })
            {
                foreach (string name in joints)
                {
                    int i = FetchJoints.IndexOf(name);
                    double error = Math.Abs(_state.Position[i] - start[i]);
                    if (error > worst)
                    {
                        worst = error;
                        worstJoint = name;
                    }
                }
            }
            if (worst <= _options.Tolerance)
            {
                return;
            }
            ThrowIfRefused(failuresBefore);
            _guard?.Monitor();
            if (_guard?.Snapshot is { IsStopped: true } stopped)
            {
                throw new TaskResetException($"the move to the start pose was stopped by the safety layer: {stopped}");
            }
            if (_robot.Clock.Now > deadline)
            {
                _robot.Stop("reset did not reach the start pose in time");
                throw new TaskResetException($"the robot did not reach the start pose within {allowed.TotalSeconds:F1} s: {worstJoint} is {worst:F3} away");
            }
            _robot.Clock.WaitUntil(_robot.Clock.Now + TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }
}
