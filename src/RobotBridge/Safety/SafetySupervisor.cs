using RobotBridge.Robots;

namespace RobotBridge.Safety;

/// <summary>Counters of what the supervisor did to commands; read with <see cref="SafetySupervisor.Counters"/>.</summary>
public readonly record struct SupervisorCounters(
    long Forwarded, long Clamped, long Rejected, long DroppedWhileStopped, long StopsIssued);

/// <summary>
/// The safety supervisor: an <see cref="IRobot"/> decorator that guards any body (the twin, a real
/// Fetch) with the same rules. Everything above it talks to the supervisor as if it were the robot.
/// </summary>
/// <remarks>
/// <para>Commands: NaN/Inf, malformed, or out-of-workspace commands are rejected and stop the robot
/// (the caller gets no exception; the stop shows in <see cref="Safety"/>). What can be clamped
/// safely is clamped: joint positions into the range, trajectory timing to the velocity and
/// acceleration limits, twist speeds, gripper targets. While the latch is stopped every motion
/// command is dropped.</para>
/// <para>Monitoring: <see cref="Monitor"/> (the control loop calls it every cycle) and every
/// <see cref="ReadState"/> check the measured state: joint range and speed, gripper in the box,
/// state age, camera age, link, operator heartbeats. A violation trips the latch; the lasting
/// sources (link, stale state, stale camera) clear once the condition has gone. A reset request
/// runs <see cref="Monitor"/> first (<see cref="EStopLatch.ResetRequested"/>), so an operator is never
/// refused for a link that came back while no loop was running.</para>
/// <para>Stopping: a trip from any source calls the inner robot's <see cref="IRobot.Stop"/> on the
/// tripping thread, bypassing every queue, and engages the runstop when configured; a reset
/// releases a runstop the supervisor engaged.</para>
/// <para>Thread-safe: commands, reads and trips may come from different threads. After forwarding a
/// command the supervisor looks at the latch again and repeats the stop if a trip raced the
/// command, so a stop is always the last thing the robot hears.</para>
/// </remarks>
public sealed class SafetySupervisor : IRobot, ISafetyGuard
{
    private static readonly EStopSource LimitsSource = EStopSource.Supervisor("joint limits");
    private static readonly EStopSource WorkspaceSource = EStopSource.Supervisor("workspace");
    private static readonly EStopSource CommandSource = EStopSource.Supervisor("command check");
    private static readonly EStopSource StaleStateSource = EStopSource.Supervisor("stale state");
    private static readonly EStopSource StaleCameraSource = EStopSource.Supervisor("stale camera");
    private static readonly EStopSource LinkSource = EStopSource.Supervisor("link");
    private static readonly EStopSource StateTrustSource = EStopSource.Supervisor("implausible state");
    private static readonly EStopSource RobotSource = EStopSource.Supervisor("robot");

    private readonly IRobot _inner;
    private readonly bool _ownsInner;
    private readonly SafetyConfig _config;
    private readonly IReadOnlyList<JointLimit> _limits;
    private readonly WorkspaceGuard _workspace;
    private readonly object _gate = new();
    private readonly RobotState _reference = new();
    private readonly RobotState _monitorState = new();
    private readonly CommandedSetpoints _setpoints = new();
    private readonly double[][] _others = NewOthers();
    private readonly List<HeartbeatWatchdog> _heartbeats = [];
    private readonly TimeSpan _createdAt;
    private TimeSpan? _lastCameraStamp;
    private bool _limitViolationReported;
    private readonly double[] _acceptedExcess;
    private bool _workspaceViolationReported;
    private bool _twistRoomViolationReported;
    private long _armTwistUntilTicks = NoTwist;
    private const long NoTwist = long.MinValue;
    private volatile bool _runstopEngagedBySupervisor;
    private long _forwarded, _clamped, _rejected, _dropped, _stops;
    private long _lastStopTicks = -1;

    /// <param name="inner">The robot being guarded.</param>
    /// <param name="limits">Resolved limits (URDF + config), see <see cref="SafetyLimits.Create"/>.</param>
    /// <param name="kinematics">Gripper forward kinematics from the robot model.</param>
    /// <param name="latch">The e-stop latch shared with the other stop sources (teleop, button).</param>
    /// <param name="ownsInner">Dispose <paramref name="inner"/> with the supervisor.</param>
    public SafetySupervisor(IRobot inner, SafetyLimits limits, IGripperKinematics kinematics, EStopLatch latch, bool ownsInner = true)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(kinematics);
        ArgumentNullException.ThrowIfNull(latch);
        _inner = inner;
        _ownsInner = ownsInner;
        _config = limits.Config;
        _limits = limits.Joints;
        _acceptedExcess = new double[_limits.Count];
        Array.Fill(_acceptedExcess, double.NaN);
        _workspace = new WorkspaceGuard(kinematics, limits.Workspace);
        Latch = latch;
        _createdAt = inner.Clock.Now;
        Latch.Tripped += OnTripped;
        Latch.EventRaised += OnLatchEvent;
        Latch.ResetRequested += Monitor;
        if (Latch.IsStopped)
        {
            // A latch that starts stopped (or was tripped before we attached) must hold the robot too.
            OnTripped(Latch.Snapshot.LastTrip ?? new SafetyEvent(0, SafetyEventKind.Trip, EStopSource.Software("startup"),
                "latch stopped when the supervisor attached", DateTimeOffset.UtcNow, null, 0));
        }
    }

    /// <summary>The e-stop latch this supervisor obeys and trips.</summary>
    public EStopLatch Latch { get; }

    /// <summary>The robot being guarded (for tests and diagnostics; commands must go through the supervisor).</summary>
    public IRobot Inner => _inner;

    /// <summary>Immutable safety state for Gym <c>info["safety"]</c>.</summary>
    public SafetySnapshot Safety => Latch.Snapshot;

    SafetySnapshot ISafetyGuard.Snapshot => Latch.Snapshot;

    IRobot ISafetyGuard.Robot => this;

    IRobot ISafetyGuard.Body => _inner;

    /// <summary>The config this supervisor enforces.</summary>
    public SafetyConfig Config => _config;

    public SupervisorCounters Counters => new(
        Interlocked.Read(ref _forwarded), Interlocked.Read(ref _clamped), Interlocked.Read(ref _rejected),
        Interlocked.Read(ref _dropped), Interlocked.Read(ref _stops));

    /// <summary>Robot-clock time at which the supervisor last sent a stop to the robot, or null.</summary>
    public TimeSpan? LastStopIssuedAt => Interlocked.Read(ref _lastStopTicks) is var t and >= 0 ? TimeSpan.FromTicks(t) : null;

    public IRobotClock Clock => _inner.Clock;

    public LinkStatus Link => _inner.Link;

    /// <summary>Adds an operator heartbeat watchdog on this supervisor's latch, checked by
    /// <see cref="Monitor"/>; feed it from the operator channel.</summary>
    public HeartbeatWatchdog AddHeartbeat(string name, TimeSpan? timeout = null)
    {
        var watchdog = new HeartbeatWatchdog(Latch, EStopSource.Watchdog(name),
            timeout ?? TimeSpan.FromSeconds(_config.HeartbeatTimeout), _inner.Clock);
        lock (_gate)
        {
            _heartbeats.Add(watchdog);
        }
        return watchdog;
    }

    /// <summary>
    /// One safety check of everything that can go stale or wrong without a command: measured state
    /// (range, speed, workspace, age), camera age, link, heartbeats. Call every control cycle.
    /// Never throws; a failure inside is itself a stop.
    /// </summary>
    public void Monitor()
    {
        try
        {
            LinkStatus link = _inner.Link;
            if (link == LinkStatus.Connected)
            {
                Latch.Clear(LinkSource, "link connected");
            }
            else
            {
                Latch.Trip(LinkSource, $"link to the robot is {link}");
            }

            // A state stream that cannot come from the robot alone (spoofed, second publisher) is not
            // a state to guard the robot by: stop until it is plausible again and an operator resets.
            if (_inner.StateFault is { } untrusted)
            {
                Latch.Trip(StateTrustSource, untrusted);
            }
            else
            {
                Latch.Clear(StateTrustSource, "joint states plausible");
            }

            TimeSpan now = _inner.Clock.Now;
            lock (_gate)
            {
                _inner.ReadState(_monitorState);
                InspectLocked(_monitorState, now);
                if (_config.StaleCameraAfter is { } bound)
                {
                    TimeSpan age = now - (_lastCameraStamp ?? _createdAt);
                    if (age > TimeSpan.FromSeconds(bound))
                    {
                        Latch.Trip(StaleCameraSource, $"camera frame is {age.TotalMilliseconds:F0} ms old (bound {bound * 1000:F0} ms)");
                    }
                    else
                    {
                        Latch.Clear(StaleCameraSource, "camera fresh");
                    }
                }
                foreach (var heartbeat in _heartbeats)
                {
                    heartbeat.Check();
                }
            }
        }
        catch (Exception ex)
        {
            Fault("Monitor", ex);
        }
    }

    /// <summary>A component above the supervisor (control loop, policy, codec) failed or missed its
    /// deadline: stop the robot with that cause.</summary>
    public void ReportFault(string component, string cause) =>
        Latch.TripMomentary(EStopSource.Supervisor(component), cause);

    public void ReadState(RobotState state)
    {
        _inner.ReadState(state);
        try
        {
            TimeSpan now = _inner.Clock.Now;
            lock (_gate)
            {
                InspectLocked(state, now);
            }
        }
        catch (Exception ex)
        {
            Fault("ReadState", ex);
        }
    }

    public CameraFrame? TryGetCameraFrame()
    {
        var frame = _inner.TryGetCameraFrame();
        if (frame is not null)
        {
            lock (_gate)
            {
                if (_lastCameraStamp is not { } last || frame.Stamp > last)
                {
                    _lastCameraStamp = frame.Stamp;
                }
            }
        }
        return frame;
    }

    public void SendTrajectory(JointTrajectory trajectory)
    {
        if (!Admit())
        {
            return;
        }
        try
        {
            JointTrajectory limited;
            lock (_gate)
            {
                if (trajectory is null)
                {
                    Reject("trajectory is null");
                    return;
                }
                try
                {
                    trajectory.Validate();
                }
                catch (ArgumentException ex)
                {
                    Reject($"rejected trajectory: {ex.Message}");
                    return;
                }
                if (!ReferenceUsableLocked(out string? why))
                {
                    Reject($"rejected trajectory: {why}");
                    return;
                }
                TimeSpan now = _inner.Clock.Now;
                if (StampProblem(trajectory.StartTime, now) is { } stampProblem)
                {
                    Reject($"rejected trajectory: {stampProblem}");
                    return;
                }
                TimeSpan startAt = trajectory.StartTime ?? now;
                Span<double> start = stackalloc double[FetchJoints.Count];
                Span<double> startVelocity = stackalloc double[FetchJoints.Count];
                StartOfNextGoalLocked(trajectory.Group, startAt, now, start, startVelocity);
                JointTrajectory wound = WindUpContinuous(trajectory, start);
                limited = TrajectoryLimiter.Enforce(wound, start, startVelocity, _limits, _config.PositionMargin, out bool clamped);
                var own = FetchJoints.Of(trajectory.Group);
                if (!own.Contains(FetchJoints.ShoulderPan) && own.Contains(FetchJoints.TorsoLift) && TwistDrivesArm(now))
                {
                    Reject("rejected torso goal: a Cartesian twist drives the arm, and where the two together take the gripper cannot be checked");
                    return;
                }
                foreach (double[] others in OthersAlongTheirGoalsLocked(own, now))
                {
                    if (!_workspace.PathInside(limited, others, _config.WorkspaceMargin, out string? problem))
                    {
                        Interlocked.Increment(ref _rejected);
                        Latch.TripMomentary(WorkspaceSource, $"rejected out-of-workspace command: {problem}{(others == _reference.Position ? "" : ", with the other joints where their running goals take them")}");
                        return;
                    }
                }
                if (clamped)
                {
                    Interlocked.Increment(ref _clamped);
                }
                _setpoints.Forwarded(limited, now, startAt, start, startVelocity);
                if (FetchJoints.Of(trajectory.Group).Contains(FetchJoints.ShoulderPan))
                {
                    // A trajectory on the arm ends its Cartesian twist; the limiter keeps its goal inside the margins.
                    Interlocked.Exchange(ref _armTwistUntilTicks, NoTwist);
                }
            }
            Forward(() => _inner.SendTrajectory(limited));
        }
        catch (Exception ex)
        {
            Fault("SendTrajectory", ex);
        }
    }

    public void SendCartesianTwist(in Twist twist)
    {
        if (!Admit())
        {
            return;
        }
        try
        {
            if (!twist.IsFinite)
            {
                Reject($"rejected Cartesian twist with a non-finite value: {twist}");
                return;
            }
            Twist limited;
            lock (_gate)
            {
                if (!ReferenceUsableLocked(out string? why))
                {
                    Reject($"rejected Cartesian twist: {why}");
                    return;
                }
                limited = CapSpeed(twist, _config.MaxCartesianSpeed, _config.MaxCartesianAngularSpeed, out bool capped);
                // The twist ends any trajectory goal on the arm, and the torso of an arm_with_torso one holds.
                _setpoints.Preempted(FetchJoints.Arm);
                // The arm's twist controller keeps going for 0.5 s without a new command, so the
                // gripper must be able to coast that long without reaching the wall, wherever a running
                // torso goal takes the arm meanwhile.
                bool walled = false;
                foreach (double[] others in OthersAlongTheirGoalsLocked(FetchJoints.Arm, _inner.Clock.Now))
                {
                    if (others != _reference.Position && !_workspace.Contains(others, 0))
                    {
                        Reject("rejected Cartesian twist: the torso's running goal takes the gripper out of the workspace with the arm where it is");
                        return;
                    }
                    limited = _workspace.LimitTwist(limited, others, _config.WorkspaceMargin, CartesianCoastTime, out bool wall);
                    walled |= wall;
                }
                if (capped || walled)
                {
                    Interlocked.Increment(ref _clamped);
                }
                // Until the twist has coasted out, the monitor keeps the arm's joints able to brake inside
                // their margins (FindTwistBrakingRoomViolation).
                Interlocked.Exchange(ref _armTwistUntilTicks, (_inner.Clock.Now + TimeSpan.FromSeconds(CartesianCoastTime)).Ticks);
            }
            Forward(() => _inner.SendCartesianTwist(limited));
        }
        catch (Exception ex)
        {
            Fault("SendCartesianTwist", ex);
        }
    }

    /// <summary>How long the Fetch's cartesian_twist controller keeps moving after the last command (s).</summary>
    public const double CartesianCoastTime = 0.5;

    public void SendGripper(double separation, double maxEffort)
    {
        if (!Admit())
        {
            return;
        }
        try
        {
            if (!double.IsFinite(separation) || !double.IsFinite(maxEffort))
            {
                Reject($"rejected gripper command with a non-finite value: separation {separation}, effort {maxEffort}");
                return;
            }
            double s = Math.Clamp(separation, 0, _config.MaxGripperSeparation);
            double e = Math.Min(maxEffort, _config.MaxGripperEffort);
            if (s != separation || e != maxEffort)
            {
                Interlocked.Increment(ref _clamped);
            }
            Forward(() => _inner.SendGripper(s, e));
        }
        catch (Exception ex)
        {
            Fault("SendGripper", ex);
        }
    }

    public void SendBaseTwist(in Twist twist)
    {
        if (!Admit())
        {
            return;
        }
        try
        {
            if (!twist.IsFinite)
            {
                Reject($"rejected base twist with a non-finite value: {twist}");
                return;
            }
            // The base is differential drive: only forward speed and yaw rate exist.
            var limited = new Twist(
                Math.Clamp(twist.Vx, -_config.MaxBaseLinearSpeed, _config.MaxBaseLinearSpeed), 0, 0, 0, 0,
                Math.Clamp(twist.Wz, -_config.MaxBaseAngularSpeed, _config.MaxBaseAngularSpeed));
            if (limited.Vx != 0 || limited.Wz != 0)
            {
                string? blind, outside = null;
                lock (_gate)
                {
                    // Like every other motion, the base moves only while the supervisor can see the robot.
                    if (ReferenceUsableLocked(out blind))
                    {
                        outside = JointOutsideRangeLocked();
                    }
                }
                if (blind is not null)
                {
                    Reject($"rejected base twist: {blind}");
                    return;
                }
                if (outside is not null)
                {
                    Reject($"rejected base twist: {outside}; the base's swing and stop would throw it further out, so the base stays until it is back in");
                    return;
                }
            }
            if (limited != twist)
            {
                Interlocked.Increment(ref _clamped);
            }
            Forward(() => _inner.SendBaseTwist(limited));
        }
        catch (Exception ex)
        {
            Fault("SendBaseTwist", ex);
        }
    }

    /// <summary>Passes straight through (a stop is never refused); does not trip the latch.</summary>
    public void Stop(string reason)
    {
        _setpoints.Clear();
        Interlocked.Exchange(ref _armTwistUntilTicks, NoTwist);
        _inner.Stop(reason);
    }

    /// <summary>
    /// The goal as the controller runs it: a continuous joint (no position limits: the roll joints) turns
    /// from knot to knot the shortest way (robot_controllers' windupTrajectory, <see cref="TrajectorySpline"/>),
    /// so each of its points is moved by whole turns to lie within π of the one before, starting from
    /// <paramref name="start"/>. Timed and checked as written, upperarm_roll from 1.52 to −2.32 was checked
    /// turning −3.84 rad while the arm turned +2.44 rad, and that path took the gripper 1.1 cm over the
    /// box (AdversarialActionPropertyTests seed 4). The same instance when nothing moves.
    /// </summary>
    private JointTrajectory WindUpContinuous(JointTrajectory trajectory, ReadOnlySpan<double> start)
    {
        var joints = FetchJoints.Of(trajectory.Group);
        TrajectoryPoint[]? points = null;
        for (int j = 0; j < joints.Count; j++)
        {
            int index = FetchJoints.IndexOf(joints[j]);
            if (_limits[index].HasPositionLimits)
            {
                continue;
            }
            double previous = start[index];
            for (int p = 0; p < trajectory.Points.Count; p++)
            {
                TrajectoryPoint point = points is null ? trajectory.Points[p] : points[p];
                double target = previous + TrajectorySpline.ShortestAngularDistance(previous, point.Positions[j]);
                if (target != point.Positions[j])
                {
                    points ??= [.. trajectory.Points];
                    var positions = (double[])point.Positions.Clone();
                    positions[j] = target;
                    points[p] = point with { Positions = positions };
                }
                previous = target;
            }
        }
        return points is null ? trajectory : trajectory with { Points = points };
    }

    /// <summary>Samples per running goal of the other joints in <see cref="OthersAlongTheirGoalsLocked"/>.</summary>
    private const int OtherGoalSamples = 8;

    /// <summary>
    /// The joint vectors a command on <paramref name="own"/> joints is checked against: the measured state
    /// first, then, while goals on other joints still run (per the setpoint model), the measured state with
    /// those joints where their goals put them at <see cref="OtherGoalSamples"/> even steps until the last
    /// ends. Controllers run side by side: a torso goal checked with the arm where it was measured, while
    /// an arm goal carried the arm on up, took the gripper 1.1 cm over the box (AdversarialActionPropertyTests
    /// seed 4). Caller holds _gate; the vectors are reused by the next call (<see cref="NewOthers"/>).
    /// </summary>
    private ReadOnlySpan<double[]> OthersAlongTheirGoalsLocked(IReadOnlyList<string> own, TimeSpan now)
    {
        _others[0] = _reference.Position;
        if (_setpoints.LatestEndOutside(own) is not { } end)
        {
            return _others.AsSpan(0, 1);
        }
        double from = now.TotalSeconds, span = Math.Max(end - from, 0);
        for (int k = 0; k <= OtherGoalSamples; k++)
        {
            TimeSpan at = TimeSpan.FromSeconds(from + span * k / OtherGoalSamples);
            double[] q = _others[k + 1];
            _reference.Position.CopyTo(q, 0);
            for (int i = 0; i < q.Length; i++)
            {
                if (!own.Contains(FetchJoints.All[i]) && _setpoints.TrySample(i, at, now, out double p, out _))
                {
                    q[i] = p;
                }
            }
        }
        return _others;
    }

    /// <summary>The vectors <see cref="OthersAlongTheirGoalsLocked"/> fills, reused by every command (under
    /// _gate; each command is done with them before the next comes in), so the check allocates nothing: slot 0
    /// is the measured state itself, then one per sample.</summary>
    private static double[][] NewOthers()
    {
        var others = new double[OtherGoalSamples + 2][];
        for (int k = 1; k < others.Length; k++)
        {
            others[k] = new double[FetchJoints.Count];
        }
        return others;
    }

    private bool TwistDrivesArm(TimeSpan now) => now.Ticks <= Interlocked.Read(ref _armTwistUntilTicks);

    /// <summary>
    /// Farther than this (rad or m) from its modelled setpoint, a joint is not following what was
    /// commanded (blocked, pushed, driven by another client, or put back by a twin's reset), and its
    /// measured state is the better start for the next goal. Tracking errors measured on the twin
    /// while streaming at the limits stay under 0.03 rad.
    /// </summary>
    public const double SetpointTrackingTolerance = 0.1;

    /// <summary>
    /// How far before the supervisor's now a goal may be stamped (<see cref="JointTrajectory.StartTime"/>).
    /// A streamed goal is stamped when the control loop sends it, microseconds before it gets here. The
    /// controller runs a goal stamped in the past from where it has got to by the time it arrives, so its
    /// start jumps from the running goal by at most ½·Δa·lag²: 23 mrad at a lag of 0.1 s and the largest
    /// change of acceleration a streamed goal makes (2 × 0.9 × the wrist's 2.5 rad/s²).
    /// </summary>
    public static readonly TimeSpan MaxStampLag = TimeSpan.FromSeconds(0.1);

    /// <summary>Why a goal stamped <paramref name="stamp"/> cannot be checked at <paramref name="now"/>, or null.
    /// One stamped in the future would keep the running goal's knots until then, which the setpoint
    /// model does not follow.</summary>
    private static string? StampProblem(TimeSpan? stamp, TimeSpan now)
    {
        if (stamp is not { } at)
        {
            return null;
        }
        if (at > now)
        {
            return $"header.stamp is {(at - now).TotalSeconds:F3} s ahead of the robot's clock; the supervisor passes goals that start when they are sent";
        }
        if (now - at > MaxStampLag)
        {
            return $"header.stamp is {(now - at).TotalSeconds:F3} s behind the robot's clock (at most {MaxStampLag.TotalSeconds:F1} s): the controller would skip its start";
        }
        return null;
    }

    public bool TryGetGoalStart(JointGroup group, TimeSpan at, Span<double> position, Span<double> velocity)
    {
        lock (_gate)
        {
            if (!ReferenceUsableLocked(out _))
            {
                return false;
            }
            StartOfNextGoalLocked(group, at, _inner.Clock.Now, position, velocity);
            return true;
        }
    }

    /// <summary>Where the controller will start the next goal, at <paramref name="startAt"/> (its stamp, or
    /// <paramref name="now"/>): each of the group's joints at its modelled setpoint while it tracks it,
    /// otherwise (and every other joint) at its measured state.</summary>
    private void StartOfNextGoalLocked(JointGroup group, TimeSpan startAt, TimeSpan now, Span<double> position, Span<double> velocity)
    {
        _reference.Position.CopyTo(position);
        _reference.Velocity.CopyTo(velocity);
        foreach (string joint in FetchJoints.Of(group))
        {
            int i = FetchJoints.IndexOf(joint);
            if (_setpoints.TrySample(i, startAt, now, out double q, out double v) && Math.Abs(q - position[i]) <= SetpointTrackingTolerance)
            {
                position[i] = q;
                velocity[i] = v;
            }
        }
    }

    public void SetRunstop(bool engaged) => _inner.SetRunstop(engaged);

    public CommandFailure? LastCommandFailure => _inner.LastCommandFailure;

    public string? StateFault => _inner.StateFault;

    public void Dispose()
    {
        Latch.Tripped -= OnTripped;
        Latch.EventRaised -= OnLatchEvent;
        Latch.ResetRequested -= Monitor;
        lock (_gate)
        {
            foreach (var heartbeat in _heartbeats)
            {
                heartbeat.Dispose();
            }
            _heartbeats.Clear();
        }
        if (_ownsInner)
        {
            _inner.Dispose();
        }
    }

    /// <summary>False (and counted) when the latch holds the robot stopped.</summary>
    private bool Admit()
    {
        if (Latch.IsStopped)
        {
            Interlocked.Increment(ref _dropped);
            return false;
        }
        return true;
    }

    private void Forward(Action send)
    {
        send();
        Interlocked.Increment(ref _forwarded);
        if (Latch.IsStopped)
        {
            // A trip raced this command; its stop may have reached the robot first. Stop again so
            // the stop is the last word.
            IssueStop($"repeat stop after a command raced a trip: {Latch.Snapshot.LastTrip?.Cause}");
        }
    }

    private void Reject(string cause)
    {
        Interlocked.Increment(ref _rejected);
        Latch.TripMomentary(CommandSource, cause);
    }

    private void Fault(string where, Exception ex) =>
        Latch.TripMomentary(RobotSource, $"{where} failed: {ex.GetType().Name}: {ex.Message}");

    /// <summary>The last measured state is the reference for clamping; it must exist and be fresh.</summary>
    private bool ReferenceUsableLocked(out string? why)
    {
        if (!_reference.IsValid)
        {
            why = "no valid joint state has been read yet";
            return false;
        }
        TimeSpan age = _inner.Clock.Now - _reference.ReceivedAt;
        if (age > TimeSpan.FromSeconds(_config.StaleStateAfter))
        {
            why = $"the last joint state is {age.TotalMilliseconds:F0} ms old";
            return false;
        }
        why = null;
        return true;
    }

    /// <summary>Checks a measured state and keeps it as the clamping reference. Caller holds _gate.</summary>
    private void InspectLocked(RobotState state, TimeSpan now)
    {
        TimeSpan age = now - state.ReceivedAt;
        if (!state.IsValid || age > TimeSpan.FromSeconds(_config.StaleStateAfter))
        {
            string cause = state.IsValid
                ? $"joint state is {age.TotalMilliseconds:F0} ms old (bound {_config.StaleStateAfter * 1000:F0} ms)"
                : "no joint state received";
            // Without a state nothing else can be judged; wait until one arrives.
            if (now - _createdAt > TimeSpan.FromSeconds(_config.StaleStateAfter) || state.IsValid)
            {
                Latch.Trip(StaleStateSource, cause);
            }
            return;
        }
        Latch.Clear(StaleStateSource, "joint state fresh");
        if (state != _reference)
        {
            if (_reference.IsValid && JumpedLocked(state))
            {
                // The joints moved faster than they can: the twin restored a state, or the encoders were
                // re-zeroed. The goals sent before no longer say where the controllers are.
                _setpoints.Clear();
            }
            state.CopyTo(_reference);
        }

        string? limitProblem = FindLimitViolation(state);
        ReportEdge(ref _limitViolationReported, limitProblem, LimitsSource);
        if (FindRangeExcursion(state) is { } rangeProblem)
        {
            Latch.TripMomentary(LimitsSource, rangeProblem);
        }

        string? workspaceProblem = null;
        var (x, y, z) = _workspace.Gripper(state.Position);
        if (!_workspace.Box.Contains(x, y, z, -_config.WorkspaceTolerance))
        {
            workspaceProblem = $"gripper measured at ({x:F3}, {y:F3}, {z:F3}) m, outside the workspace {_workspace.Box}";
        }
        ReportEdge(ref _workspaceViolationReported, workspaceProblem, WorkspaceSource);

        string? roomProblem = TwistDrivesArm(now) ? FindTwistBrakingRoomViolation(state) : null;
        ReportEdge(ref _twistRoomViolationReported, roomProblem, LimitsSource);
    }

    /// <summary>
    /// A Cartesian twist moves the arm's joints wherever its IK takes them, up to their very limits (the
    /// twin's controller clamps its setpoints to the URDF range, the Fetch's does not clamp at all), not
    /// to the range shrunk by the position margin that <see cref="TrajectoryLimiter"/> keeps goals in.
    /// A joint parked on its soft limit is pushed past it by the first jolt (the elbow 7.7 mrad past at
    /// 1 rad/s when the base stopped, AdversarialActionPropertyTests seed 20261127 with 5 noslip
    /// iterations). So while a twist drives the arm, a joint moving toward a limit must be able to brake
    /// at its acceleration limit before the margin: position + v²/(2·a) inside [lower + margin, upper −
    /// margin], as ros2_control's joint limiter keeps its braking distance. Otherwise: stop.
    /// </summary>
    private string? FindTwistBrakingRoomViolation(RobotState state)
    {
        foreach (string joint in FetchJoints.Arm)
        {
            int i = FetchJoints.IndexOf(joint);
            var limit = _limits[i];
            double p = state.Position[i], v = state.Velocity[i];
            if (!limit.HasPositionLimits || v == 0)
            {
                continue;
            }
            double brake = v * v / (2 * limit.MaxAcceleration);
            double stopsAt = v > 0 ? p + brake : p - brake;
            double bound = v > 0 ? limit.Upper - _config.PositionMargin : limit.Lower + _config.PositionMargin;
            if (v > 0 ? stopsAt > bound : stopsAt < bound)
            {
                return $"measured {joint} at {p:F4} moving {v:F3} under a Cartesian twist cannot brake (at {limit.MaxAcceleration} per s²) before {bound:F4}, its range [{limit.Lower}, {limit.Upper}] less the position margin {_config.PositionMargin}";
            }
        }
        return null;
    }

    /// <summary>True when some joint moved between the last state and <paramref name="state"/> farther
    /// than its velocity limit (times the measured-velocity allowance) allows in the time between them.</summary>
    private bool JumpedLocked(RobotState state)
    {
        double dt = Math.Max((state.Stamp - _reference.Stamp).TotalSeconds, 0);
        for (int i = 0; i < _limits.Count; i++)
        {
            double reach = _limits[i].MaxVelocity * _config.MeasuredVelocityFactor * dt + JumpTolerance;
            if (Math.Abs(state.Position[i] - _reference.Position[i]) > reach)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Position noise (rad or m) below which a change between two states never counts as a jump.</summary>
    private const double JumpTolerance = 0.005;

    /// <summary>A measured joint that is not finite or moves too fast, or null (ranges are
    /// <see cref="FindRangeExcursion"/>'s).</summary>
    private string? FindLimitViolation(RobotState state)
    {
        for (int i = 0; i < _limits.Count; i++)
        {
            var limit = _limits[i];
            double p = state.Position[i], v = state.Velocity[i];
            if (!double.IsFinite(p) || !double.IsFinite(v))
            {
                return $"measured {limit.Joint} is not finite (position {p}, velocity {v})";
            }
            if (Math.Abs(v) > limit.MaxVelocity * _config.MeasuredVelocityFactor)
            {
                return $"measured {limit.Joint} moves at {v:F3}, over {_config.MeasuredVelocityFactor} × its limit {limit.MaxVelocity}";
            }
        }
        return null;
    }

    /// <summary>
    /// A joint outside its range (beyond the position tolerance) trips once when it leaves, so a robot
    /// held there does not flood the log while it waits for an operator. After a reset it may come back in
    /// but not go on out: the head pan, reset at -1.53 (range ±1.45), crept out at 0.04 rad/s with no new
    /// stop until it was past the URDF's -1.57 (AdversarialActionPropertyTests seed 9, cycle 59042). So
    /// each joint outside keeps the excess accepted last (where it left, where it was while the robot was
    /// held, which is where a reset finds it, or the closest it has come back since) and trips again when
    /// it gets further out than that by more than the position tolerance. The rule is on position, not
    /// speed: a creep slower than any speed threshold still trips. The tolerance (position_tolerance, 0.01 rad
    /// in the shipped config) is the slack the range check already gives the measurement; the accepted mark follows the noise's inward
    /// extremes, so what it must cover is the noise's spread, about 9σ over 10⁵ samples: 4.5 mrad with the
    /// 0.5 mrad of joint noise the deployable tasks train with (the supervisor's jump check takes 5 mrad
    /// for noise too). A noisier robot needs a larger position_tolerance. Caller holds _gate.
    /// </summary>
    private string? FindRangeExcursion(RobotState state)
    {
        string? problem = null;
        bool held = Latch.IsStopped;
        for (int i = 0; i < _limits.Count; i++)
        {
            var limit = _limits[i];
            double p = state.Position[i];
            if (!limit.HasPositionLimits || !double.IsFinite(p))
            {
                continue;   // a non-finite position is FindLimitViolation's
            }
            if (limit.PositionWithin(p, _config.PositionTolerance))
            {
                _acceptedExcess[i] = double.NaN;
                continue;
            }
            double excess = Math.Max(limit.Lower - p, p - limit.Upper);
            double accepted = _acceptedExcess[i];
            if (double.IsNaN(accepted))
            {
                problem ??= $"measured {limit.Joint} at {p:F4} is outside its range [{limit.Lower}, {limit.Upper}]";
            }
            else if (!held && excess > accepted + _config.PositionTolerance)
            {
                problem ??= $"measured {limit.Joint} at {p:F4}, outside its range [{limit.Lower}, {limit.Upper}], went {excess - accepted:F4} further out than where it was accepted; it may only come back in";
            }
            else if (!held && excess >= accepted)
            {
                continue;
            }
            _acceptedExcess[i] = excess;
        }
        return problem;
    }

    /// <summary>The first joint measured outside its range (beyond the position tolerance), described, or
    /// null (also when no valid state has been read). Caller holds _gate.</summary>
    private string? JointOutsideRangeLocked()
    {
        if (!_reference.IsValid)
        {
            return null;
        }
        for (int i = 0; i < _limits.Count; i++)
        {
            var limit = _limits[i];
            double p = _reference.Position[i];
            if (!limit.PositionWithin(p, _config.PositionTolerance))
            {
                return $"measured {limit.Joint} at {p:F4} is outside its range [{limit.Lower}, {limit.Upper}]";
            }
        }
        return null;
    }

    /// <summary>Trips once when a violation appears; re-arms when it is gone, so a robot held in a
    /// violating pose does not flood the log while it waits for an operator.</summary>
    private void ReportEdge(ref bool reported, string? problem, EStopSource source)
    {
        if (problem is null)
        {
            reported = false;
            return;
        }
        if (!reported)
        {
            reported = true;
            Latch.TripMomentary(source, problem);
        }
    }

    private static Twist CapSpeed(in Twist t, double maxLinear, double maxAngular, out bool capped)
    {
        double linear = Math.Sqrt(t.Vx * t.Vx + t.Vy * t.Vy + t.Vz * t.Vz);
        double angular = Math.Sqrt(t.Wx * t.Wx + t.Wy * t.Wy + t.Wz * t.Wz);
        double sl = linear > maxLinear ? maxLinear / linear : 1;
        double sa = angular > maxAngular ? maxAngular / angular : 1;
        capped = sl < 1 || sa < 1;
        return new Twist(t.Vx * sl, t.Vy * sl, t.Vz * sl, t.Wx * sa, t.Wy * sa, t.Wz * sa);
    }

    private void OnTripped(SafetyEvent trip) => IssueStop($"{trip.Source}: {trip.Cause}");

    private void IssueStop(string reason)
    {
        Interlocked.Increment(ref _stops);
        try
        {
            Interlocked.Exchange(ref _lastStopTicks, _inner.Clock.Now.Ticks);
        }
        catch (Exception)
        {
            // Bookkeeping only; never let it delay the stop.
        }
        _setpoints.Clear();
        Interlocked.Exchange(ref _armTwistUntilTicks, NoTwist);
        try
        {
            _inner.Stop(reason);
        }
        finally
        {
            // Even when Stop threw, the runstop is the second line of defence.
            if (_config.EngageRunstopOnTrip)
            {
                _runstopEngagedBySupervisor = true;
                _inner.SetRunstop(true);
            }
        }
    }

    private void OnLatchEvent(SafetyEvent e)
    {
        if (e.Kind == SafetyEventKind.Reset && _runstopEngagedBySupervisor)
        {
            _runstopEngagedBySupervisor = false;
            _inner.SetRunstop(false);
        }
    }
}
