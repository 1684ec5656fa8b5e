using System.Diagnostics;
using RobotBridge.Control;
using RobotBridge.Gym;
using RobotBridge.Gym.Envs;
using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Spaces;
using RobotBridge.Model;
using RobotBridge.Robots;
using RobotBridge.Safety;

namespace RobotBridge.Tasks;

/// <summary>The body a Fetch task runs on, as the backend that made it hands it over.</summary>
/// <param name="Robot">The robot the task commands: the guard's supervised robot when there is a guard.</param>
/// <param name="World">Episode set-up and object tracking for that body.</param>
/// <param name="Guard">The safety guard in front of the body, or null when it runs without one (bare twin).</param>
/// <param name="Owner">Disposed with the env (the backend's resources), or null.</param>
public sealed record FetchTaskBody(IRobot Robot, ITaskWorld World, ISafetyGuard? Guard, IDisposable? Owner)
{
    /// <summary>Draws what the body varies per episode (the twin's measured latency) from the episode's
    /// seeded generator, at every reset after the goal: so the same seed gives the same episode. Null
    /// when nothing varies (a real robot's latency is its own).</summary>
    public Action<Random>? DrawEpisode { get; init; }

    /// <summary>Who may reset the latch of a simulated body made for training; null for every other body.</summary>
    public SimulationOperator? SimulationOperator { get; init; }

    /// <summary>A body behind <paramref name="guard"/>: the task commands the guard's robot.</summary>
    public static FetchTaskBody Guarded(ISafetyGuard guard, ITaskWorld world, IDisposable? owner) =>
        new(guard.Robot, world, guard, owner);
}

/// <summary>
/// A Gymnasium-Robotics Fetch task (Reach, Push, Slide, PickAndPlace; v4 semantics) over
/// <see cref="IRobot"/>, so the same env runs on the MuJoCo twin and on a real Fetch.
/// </summary>
/// <remarks>
/// <para>Action: Box(-1, 1, (4,), float32), clipped. (dx, dy, dz) × 0.05 m moves the grip site in the
/// base frame; unlike Gymnasium's mocap weld this goes through the URDF's IK (gripper kept pointing
/// down) to arm joint targets sent to the arm's trajectory controller, the path a real Fetch offers.
/// Each target is reached over one 40 ms period or, if that would exceed a joint's URDF velocity
/// limit, over as long as the slowest joint needs. The deployable family (<see cref="FetchTaskSpec.Deployable"/>)
/// streams the same target, within the arm's velocity and acceleration limits and inside the safety
/// supervisor's joint ranges and workspace, as one goal per 100 ms step. action[3] opens (+) or closes (−)
/// the gripper (PickAndPlace only; the other tasks hold it closed).</para>
/// <para>Observation: Gymnasium's layout (10 dims for Reach, 25 with an object), velocities as
/// per-step displacements, positions in the robot's base frame (Gymnasium's world frame minus the
/// base offset). Camera variants add "image" (uint8 side × side × 3) from the head camera, aimed at
/// the table at reset.</para>
/// <para>The env does not pace itself: each step hands its command to a <see cref="ControlLoop"/> at
/// <see cref="ControlRateHz"/> through a <see cref="RobotCommandMailbox"/>, and the loop owns the cycle —
/// read state, the guard's checks, command, timing, every 10 ms. On the twin in lockstep (a virtual
/// clock) the step runs the loop's cycles on its own thread until the step's 40 ms deadline, and those
/// cycles step the physics: training meets the cycle deploy runs, at simulation speed. On a wall clock
/// (a real Fetch, the served twin) the loop runs on a thread of its own from construction to disposal,
/// also while the policy infers and between episodes, and the step waits for the loop's cycle at its
/// deadline; the command leaves on the loop's next cycle (within one loop period). The reset's moves to
/// the start pose command the robot directly, with the loop checking meanwhile. Info carries is_success, timing
/// (robot time, lateness, observation age), command latency and the safety state; a step during
/// which the e-stop latch holds the robot stopped is terminated, one with the link lost is truncated.</para>
/// </remarks>
public sealed class FetchTaskEnv : Env<DictValue, float[]>, IGoalEnv<float[]>, IGuardedEnv, ISimulationOperatedEnv, IControlledEnv
{
    public const string ImageKey = "image";

    /// <summary>Where the head camera looks at reset: the middle of the table's reachable area.</summary>
    public static readonly Vec3 HeadTarget = new(0.65, 0.0, FetchTaskSpec.TableTop);

    /// <summary>Box the grip site is kept in (base frame): above the table and inside the arm's
    /// comfortable reach, so the IK is always asked for something it can follow.</summary>
    public static readonly (Vec3 Min, Vec3 Max) GripBounds = (new Vec3(0.35, -0.45, FetchTaskSpec.TableTop + 0.005), new Vec3(1.0, 0.45, 1.05));

    private const double GripperEffort = 60.0;

    /// <summary>Torso height of the start pose: as low as Gymnasium's, but clear of the bottom of its
    /// travel, where the safety supervisor's position margin would not let a real torso go.</summary>
    public const double StartTorso = 0.05;

    private readonly FetchTaskSpec _spec;
    private readonly GoalReward _reward;
    private readonly FetchTaskBody _body;
    private readonly IRobot _robot;
    private readonly FetchArmKinematics _arm;
    private readonly double[] _startJoints;
    private readonly DictSpace _observationSpace;
    private readonly Box<float> _actionSpace = new(-1f, 1f, 4);
    private readonly DictValue _obs;
    private readonly double[] _observation;
    private readonly double[] _achieved = new double[3];
    private readonly double[] _desired = new double[3];
    private readonly byte[]? _image;
    private readonly RobotState _state = new();
    private readonly double[] _armTargets = new double[FetchJoints.Arm.Count];
    private readonly double[] _currentArm = new double[FetchJoints.Arm.Count];
    private readonly JointGoalStreamer _armStream;
    private readonly JointLimit[] _armLimits;
    private readonly double _armMargin;
    private readonly WorkspaceGuard _workspace;
    private readonly double _workspaceMargin;
    private readonly double[] _workspaceScratch = new double[FetchJoints.Count];
    private readonly int[] _armIndices;
    private readonly int _lFinger = FetchJoints.IndexOf(FetchJoints.LGripperFinger);
    private readonly int _rFinger = FetchJoints.IndexOf(FetchJoints.RGripperFinger);
    private Vec3 _grip, _previousGrip, _object, _previousObject;
    private readonly Queue<ObjectState?> _objectHistory = new();
    private Rotation3 _objectOrientation = Rotation3.Identity;
    private Vec3 _objectAngularVelocity;
    private bool _objectTracked;
    private TimeSpan _objectStamp;
    private TimeSpan _deadline;
    private TimeSpan _imageAge;
    private readonly RobotCommandMailbox _commands = new();
    private readonly ControlLoop _loop;

    /// <summary>Rate of the control loop under the env: it runs the guard's checks and sends the
    /// policy's command at this rate while the policy steps at 25 Hz.</summary>
    public const double ControlRateHz = 100;

    /// <summary>How much further inside the supervisor's workspace box than its margin a streamed target
    /// is kept (m): more than the streamed arm's braking distance at its speed.</summary>
    public const double WorkspaceAllowance = 0.05;

    /// <summary>On a wall clock, how long a step waits for the loop's cycle before it calls the loop stalled
    /// (stops the robot and fails the step). Far beyond a step's 40 ms: only a hung loop gets there.</summary>
    public static readonly TimeSpan LoopStallTimeout = TimeSpan.FromSeconds(2);

    public FetchTaskEnv(FetchTaskSpec spec, FetchTaskBody body, RobotModel model, RenderMode renderMode = RenderMode.None)
        : base(renderMode)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(body);
        _spec = spec;
        _reward = new GoalReward(spec.RewardType, spec.DistanceThreshold);
        _body = body;
        _robot = body.Robot;
        _arm = new FetchArmKinematics(model);
        var (pan, tilt) = _arm.AimHead(spec.HeadTarget, spec.StartTorso);
        _startJoints = _arm.SolveStartJoints(spec.StartGripPosition, spec.StartTorso, pan, tilt, spec.StartPosture);
        _armIndices = FetchJoints.Arm.Select(FetchJoints.IndexOf).ToArray();
        // Streamed within the limits and workspace of the guard in front of the body (the deploy's
        // --safety-config; a bare twin: the shipped ones, which training uses), so the guard passes the
        // motion as planned: targets kept inside the shipped box were rejected by a user's narrower one
        // (a streamed goal at z 0.44 under a 0.42 floor stopped the deploy).
        SafetyConfig safety = body.Guard?.Config ?? SafetyConfig.Default();
        var limits = ModelSafety.Limits(model, safety).Joints;
        _armLimits = _armIndices.Select(i => limits[i]).ToArray();
        // A little inside the supervisor's margin, so a target it would clamp is never streamed.
        _armMargin = safety.PositionMargin + 0.01;
        _armStream = new JointGoalStreamer(JointGroup.Arm, _armIndices.Select(i => limits[i]).ToArray(), spec.StepPeriod);
        _workspace = new WorkspaceGuard(new ModelGripperKinematics(model), safety.Workspace.ToBox());
        // Inside the supervisor's margin by more than the streamer's braking tail can carry the gripper past
        // a target (a few centimetres at the arm's speed): a goal it would reject is never streamed.
        _workspaceMargin = safety.WorkspaceMargin + WorkspaceAllowance;

        _observation = new double[spec.ObservationSize];
        var extras = new List<(string, Space)>();
        if (spec.ImageSize > 0)
        {
            _image = new byte[spec.ImageSize * spec.ImageSize * 3];
            extras.Add((ImageKey, new Box<byte>(0, 255, spec.ImageSize, spec.ImageSize, 3)));
        }
        _observationSpace = GoalSpaces.Create(
            new Box<double>(double.NegativeInfinity, double.PositiveInfinity, spec.ObservationSize),
            new Box<double>(double.NegativeInfinity, double.PositiveInfinity, 3),
            [.. extras]);
        var values = new object[_observationSpace.Count];
        values[_observationSpace.IndexOf(GoalObservation.ObservationKey)] = _observation;
        values[_observationSpace.IndexOf(GoalObservation.AchievedGoalKey)] = _achieved;
        values[_observationSpace.IndexOf(GoalObservation.DesiredGoalKey)] = _desired;
        if (_image is not null)
        {
            values[_observationSpace.IndexOf(ImageKey)] = _image;
        }
        _obs = _observationSpace.Wrap(values);
        _loop = new ControlLoop(_robot, _commands, new ControlLoopOptions
        {
            RateHz = ControlRateHz,
            // In lockstep nothing waits on the CPU, so a slow cycle on a busy machine is a figure in
            // the timing books, not a hazard; on a wall clock overruns stop the robot.
            MissesBeforeStop = _robot.Clock.IsVirtual ? int.MaxValue : new ControlLoopOptions().MissesBeforeStop,
            TimingCapacity = 4096,
        }, body.Guard);
        if (!_robot.Clock.IsVirtual)
        {
            // Real time does not wait for the policy: the loop checks and commands the robot at its
            // rate whatever the env's caller is doing.
            _loop.Start();
        }
    }

    /// <summary>The control loop between the env and the robot (its timing books).</summary>
    public ControlLoop Loop => _loop;

    /// <summary>The loop's command mailbox: the env's steps post here, and so may others who command
    /// the same robot while the env runs (teleop).</summary>
    public RobotCommandMailbox Commands => _commands;

    public FetchTaskSpec TaskSpec => _spec;
    public override Space<DictValue> ObservationSpace => _observationSpace;
    public override Space<float[]> ActionSpace => _actionSpace;
    public override IReadOnlyList<RenderMode> SupportedRenderModes => [RenderMode.None, RenderMode.RgbArray];
    public int GoalDimension => 3;

    /// <summary>The robot the env drives (the guard's supervised robot when there is a guard).</summary>
    public IRobot Robot => _robot;

    public ISafetyGuard? Guard => _body.Guard;

    /// <summary>Episode set-up and object tracking for the body (a <see cref="TrackedTaskWorld"/> when the
    /// object comes from another tracker than the body's own): benches compare the tracker with it.</summary>
    public ITaskWorld World => _body.World;

    public SimulationOperator? SimulationOperator => _body.SimulationOperator;

    /// <summary>Joint positions every episode starts from (FetchJoints.All order).</summary>
    public ReadOnlySpan<double> StartJoints => _startJoints;

    protected override ResetResult<DictValue> OnReset(IReadOnlyDictionary<string, object?>? options)
    {
        Vec3 start = _spec.RegionCentre;
        Vec3? objectPosition = null;
        if (_spec.HasObject)
        {
            double ox, oy;
            do
            {
                ox = start.X + Uniform(-_spec.ObjectRange, _spec.ObjectRange);
                oy = start.Y + Uniform(-_spec.ObjectRange, _spec.ObjectRange);
            }
            while (Math.Sqrt((ox - start.X) * (ox - start.X) + (oy - start.Y) * (oy - start.Y)) < 0.1);
            objectPosition = new Vec3(ox, oy, _spec.ObjectRestHeight);
        }
        SampleGoal(options);

        _body.Guard?.Monitor();
        if (_body.Guard?.Snapshot is { IsStopped: true } stopped)
        {
            // A latched stop is released by an authorised operator, never by starting an episode. Whether
            // one can reset it is the caller's to say (deploy without an operator console cannot).
            throw new TaskResetException($"the robot is stopped ({stopped}): no episode starts until the e-stop latch is reset");
        }
        _commands.Clear(); // nothing from the last episode goes out during or after the move to the start
        // After the goal (goals match the v4 ids' for the same seed) and just before the restore, which
        // starts the state history over with the episode's latency.
        _body.DrawEpisode?.Invoke(Rng);
        _body.World.PrepareEpisode(_startJoints, objectPosition);
        if (_spec.BlockGripper)
        {
            _robot.SendGripper(0, GripperEffort);
        }
        _robot.ReadState(_state);
        // The stream starts where the controller holds the arm: the world's last goal when it sent one
        // (the supervisor times the first goal from there too), else where the arm is measured.
        if (!_body.World.TryGetArmHold(_currentArm))
        {
            for (int i = 0; i < _armIndices.Length; i++)
            {
                _currentArm[i] = _state.Position[_armIndices[i]];
            }
        }
        lock (_armStream)
        {
            _armStream.Reset(_currentArm);
        }
        if (_loop.IsRunning)
        {
            // Steps fall on the running loop's grid (a step is four of its periods), so each wait ends
            // with the cycle at the step's deadline, not up to a period after it.
            _deadline = _loop.LastCycleGridPoint ?? _robot.Clock.Now;
        }
        else
        {
            _loop.RestartGrid();
            _deadline = _robot.Clock.Now;
        }
        _grip = _previousGrip = _arm.GripPosition(_state.Position);
        ReadObject(initial: true);
        ReadImage();
        WriteObservation();
        SetInfo(commandTime: _deadline, lateness: TimeSpan.Zero, elapsed: TimeSpan.Zero, ikFailed: false);
        return new ResetResult<DictValue>(_obs, Info);
    }

    public override StepResult<DictValue> Step(float[] action)
    {
        ThrowIfDisposed();
        long wallStart = Stopwatch.GetTimestamp();
        ValidateAction(action);

        // Command: where the grip site should be after this step, through IK to arm joint targets.
        var unit = new Vec3(Math.Clamp(action[0], -1f, 1f), Math.Clamp(action[1], -1f, 1f), Math.Clamp(action[2], -1f, 1f));
        // From where the grip is measured, never from a reference the observation does not show: a zero
        // action asks the arm to stay where it is seen, whatever it did before.
        Vec3 target = Clamp(_grip + unit * _spec.ActionReach, GripBounds.Min, GripBounds.Max);
        bool reached = _arm.TrySolveStep(_state.Position, target, _armTargets);
        if (_spec.ArmMotion == FetchArmMotion.Streamed)
        {
            _commands.PostTrajectory(JointGroup.Arm, StreamedGoal());
        }
        else
        {
            _commands.PostTrajectory(DirectGoal());
        }
        double? gripper = null;
        if (!_spec.BlockGripper)
        {
            double opening = _state.GripperSeparation + 0.1 * Math.Clamp(action[3], -1f, 1f);
            gripper = Math.Clamp(opening, 0, 0.1);
        }
        if (gripper is double separation)
        {
            _commands.PostGripper(separation, GripperEffort);
        }
        TimeSpan commandTime = _robot.Clock.Now;

        // The control loop owns the period: its next cycle sends the command, and its cycles (guard
        // checks at the loop's rate) run until the step's deadline on the robot's clock.
        _deadline += _spec.StepPeriod;
        TimeSpan lateness = commandTime > _deadline ? commandTime - _deadline : TimeSpan.Zero;
        if (lateness > TimeSpan.Zero)
        {
            _deadline = commandTime; // a late step re-anchors the schedule instead of rushing to catch up
        }
        if (_loop.IsRunning)
        {
            AwaitLoop(late: lateness > TimeSpan.Zero);
        }
        else if (lateness > TimeSpan.Zero)
        {
            _loop.RunCycle();
        }
        else
        {
            _loop.RunUntil(_deadline);
        }
        if (_loop.IsFaulted)
        {
            // Only without a guard (with one, the fault tripped its latch and ends the episode).
            string fault = _loop.LastFault ?? "unknown fault";
            _loop.ClearFault();
            throw new InvalidOperationException($"the control loop could not run the step: {fault}");
        }

        _robot.ReadState(_state);
        _previousGrip = _grip;
        _grip = _arm.GripPosition(_state.Position);
        ReadObject(initial: false);
        ReadImage();
        WriteObservation();

        Info.Clear();
        SetInfo(commandTime, lateness, Stopwatch.GetElapsedTime(wallStart), ikFailed: !reached);
        double reward = _reward.Of(_achieved, _desired);
        bool terminated = Info.TryGet(SafetyInfoKeys.Safety, out SafetySnapshot safety) && safety.IsStopped;
        bool truncated = _robot.Link == LinkStatus.Lost;
        return new StepResult<DictValue>(_obs, reward, terminated, truncated, Info);
    }

    public void ComputeReward(ReadOnlySpan<double> achievedGoals, ReadOnlySpan<double> desiredGoals, ReadOnlySpan<Info> infos, Span<double> rewards) =>
        _reward.Compute(achievedGoals, desiredGoals, infos, rewards);

    public override RenderFrame? Render()
    {
        ThrowIfDisposed();
        if (RenderMode != RenderMode.RgbArray)
        {
            return null;
        }
        using CameraFrame? frame = _robot.TryGetCameraFrame();
        return frame is null ? null : new RenderFrame(frame.Width, frame.Height, frame.Rgb.ToArray());
    }

    protected override void DisposeResources()
    {
        _loop.Dispose();
        _body.World.Dispose();
        _body.Owner?.Dispose();
    }

    private void ValidateAction(float[] action)
    {
        if (action is null || action.Length != 4)
        {
            throw new InvalidEnvArgumentException($"{_spec.Kind} action must be float[4], got {(action is null ? "null" : $"float[{action.Length}]")}");
        }
        for (int i = 0; i < 4; i++)
        {
            if (!float.IsFinite(action[i]))
            {
                // A policy emitting NaN/Inf is broken: hold the robot where it is before refusing the step.
                _commands.Stop(_robot, $"non-finite action element {i} ({action[i]})");
                throw new InvalidEnvArgumentException($"{_spec.Kind} action element {i} is {action[i]}; actions must be finite (the robot was stopped)");
            }
        }
    }

    /// <summary>Wall clock: waits for the loop's cycle at the step's deadline (on its own thread it sends
    /// the command and runs the checks meanwhile). A late step re-anchors on the loop's grid.</summary>
    private void AwaitLoop(bool late)
    {
        if (!_loop.WaitForCycle(_deadline, LoopStallTimeout))
        {
            string why = $"the control loop completed no cycle within {LoopStallTimeout.TotalSeconds:F0} s of the step's deadline";
            _commands.Stop(_robot, why);
            throw new InvalidOperationException($"{why}: the robot was stopped");
        }
        if (late)
        {
            _deadline = _loop.LastCycleGridPoint ?? _deadline;
        }
    }

    /// <summary>The step's joint targets streamed (<see cref="FetchArmMotion.Streamed"/>): the targets and
    /// the measured arm as of now, the goal built when the control loop sends it (on its thread, or this one
    /// in lockstep), from where the last goal has the controller's setpoint at that moment. On a wall clock the
    /// goal leaves on the loop's next cycle, not when the step runs, and the time between sendings is what the
    /// controller and the supervisor see; a goal planned from the time between steps started from another
    /// setpoint than theirs and was retimed, and every goal after it too (the streamer's reference then ran ahead
    /// of the retimed setpoint).</summary>
    private Func<TimeSpan, JointTrajectory> StreamedGoal()
    {
        for (int i = 0; i < _armTargets.Length; i++)
        {
            _armTargets[i] = _armLimits[i].ClampPosition(_armTargets[i], _armMargin);
        }
        if (!InsideWorkspace(_armTargets))
        {
            // Joint targets kept inside their ranges (or an IK that had to tilt the gripper) can put the
            // gripper somewhere the grip box never would: below the supervisor's workspace floor, where it
            // would reject the goal and latch a stop. Hold where the arm is measured instead.
            for (int i = 0; i < _armTargets.Length; i++)
            {
                _armTargets[i] = _armLimits[i].ClampPosition(_state.Position[_armIndices[i]], _armMargin);
            }
        }
        double[] target = (double[])_armTargets.Clone();
        double[] position = new double[_armIndices.Length];
        double[] velocity = new double[_armIndices.Length];
        for (int i = 0; i < _armIndices.Length; i++)
        {
            position[i] = _state.Position[_armIndices[i]];
            velocity[i] = _state.Velocity[_armIndices[i]];
        }
        ISafetyGuard? guard = _body.Guard;
        return sentAt =>
        {
            lock (_armStream)
            {
                if (guard is not null)
                {
                    var startPosition = new double[FetchJoints.Count];
                    var startVelocity = new double[FetchJoints.Count];
                    if (guard.TryGetGoalStart(JointGroup.Arm, sentAt, startPosition, startVelocity))
                    {
                        double[] armPosition = [.. _armIndices.Select(i => startPosition[i])];
                        double[] armVelocity = [.. _armIndices.Select(i => startVelocity[i])];
                        return _armStream.NextSentAtFrom(sentAt, target, armPosition, armVelocity);
                    }
                }
                return _armStream.NextSentAt(sentAt, target, position, velocity, SafetySupervisor.SetpointTrackingTolerance);
            }
        };
    }

    /// <summary>True when arm joints <paramref name="arm"/> (the other joints as measured) put the gripper
    /// inside the supervisor's workspace box shrunk by <see cref="_workspaceMargin"/>.</summary>
    private bool InsideWorkspace(ReadOnlySpan<double> arm)
    {
        _state.Position.AsSpan().CopyTo(_workspaceScratch);
        for (int i = 0; i < _armIndices.Length; i++)
        {
            _workspaceScratch[_armIndices[i]] = arm[i];
        }
        return _workspace.Contains(_workspaceScratch, _workspaceMargin);
    }

    /// <summary>The step's joint targets as one goal (<see cref="FetchArmMotion.Direct"/>).</summary>
    private JointTrajectory DirectGoal()
    {
        double seconds = _spec.StepPeriod.TotalSeconds;
        for (int i = 0; i < _armIndices.Length; i++)
        {
            double from = _state.Position[_armIndices[i]];
            seconds = Math.Max(seconds, Math.Abs(_armTargets[i] - from) / (0.9 * _arm.ArmVelocityLimits[i]));
        }
        return new JointTrajectory(JointGroup.Arm, [new TrajectoryPoint((double[])_armTargets.Clone(), null, TimeSpan.FromSeconds(seconds))]);
    }

    private void SampleGoal(IReadOnlyDictionary<string, object?>? options)
    {
        if (options is not null && options.TryGetValue("goal", out object? g) && g is not null)
        {
            if (g is not double[] goal || goal.Length != 3 || !goal.All(double.IsFinite))
            {
                throw new InvalidEnvArgumentException($"reset option \"goal\" must be a double[3] of finite numbers, got {g}");
            }
            goal.CopyTo(_desired, 0);
            return;
        }
        Vec3 start = _spec.RegionCentre;
        double range = _spec.HasObject ? _spec.TargetRange : 0.15;
        Vec3 goalPoint = start + new Vec3(Uniform(-range, range), Uniform(-range, range), Uniform(-range, range)) + _spec.TargetOffset;
        if (_spec.HasObject)
        {
            double z = _spec.ObjectRestHeight;
            if (_spec.TargetInTheAir && Rng.NextDouble() < 0.5)
            {
                z += Uniform(0, 0.45);
            }
            goalPoint = goalPoint with { Z = z };
        }
        _desired[0] = goalPoint.X;
        _desired[1] = goalPoint.Y;
        _desired[2] = goalPoint.Z;
    }

    private void ReadObject(bool initial)
    {
        if (!_spec.HasObject)
        {
            return;
        }
        _previousObject = _object;
        ObjectState? seen = _body.World.TryGetObjectState(out ObjectState o) ? o : null;
        if (_spec.ObjectLagSteps > 0)
        {
            // The pose the policy gets is as old as a camera tracker's: the one read steps ago (at reset,
            // the object at rest, so the current one).
            if (initial)
            {
                _objectHistory.Clear();
                for (int i = 0; i < _spec.ObjectLagSteps; i++)
                {
                    _objectHistory.Enqueue(seen);
                }
            }
            _objectHistory.Enqueue(seen);
            seen = _objectHistory.Dequeue();
        }
        _objectTracked = seen.HasValue;
        if (seen is { } observed)
        {
            _object = observed.Position;
            if (_spec.ObjectNoise > 0)
            {
                _object += new Vec3(Gaussian(), Gaussian(), Gaussian()) * _spec.ObjectNoise;
            }
            _objectOrientation = observed.Orientation;
            _objectAngularVelocity = observed.AngularVelocity;
            _objectStamp = observed.Stamp;
        }
        if (initial)
        {
            _previousObject = _object;
            _objectAngularVelocity = Vec3.Zero;
        }
    }

    private void ReadImage()
    {
        if (_image is null)
        {
            return;
        }
        using CameraFrame? frame = _robot.TryGetCameraFrame();
        if (frame is null)
        {
            _imageAge = _robot.Clock.Now; // never seen a frame: as old as the run
            return;
        }
        ImageResize.NearestRgb(frame.Rgb, frame.Width, frame.Height, _image, _spec.ImageSize, _spec.ImageSize);
        _imageAge = _robot.Clock.Now - frame.Stamp;
    }

    private void WriteObservation()
    {
        double dt = _spec.StepPeriod.TotalSeconds;
        Vec3 gripStep = _grip - _previousGrip;
        double rFinger = _state.Position[_rFinger], lFinger = _state.Position[_lFinger];
        double rFingerStep = _state.Velocity[_rFinger] * dt, lFingerStep = _state.Velocity[_lFinger] * dt;
        Span<double> o = _observation;
        Put(o, 0, _grip);
        if (!_spec.HasObject)
        {
            o[3] = rFinger;
            o[4] = lFinger;
            Put(o, 5, gripStep);
            o[8] = rFingerStep;
            o[9] = lFingerStep;
            Put(_achieved, 0, _grip);
            return;
        }
        Vec3 objectStep = _object - _previousObject;
        Put(o, 3, _object);
        Put(o, 6, _object - _grip);
        o[9] = rFinger;
        o[10] = lFinger;
        Put(o, 11, _objectOrientation.ToRpy());
        Put(o, 14, objectStep - gripStep);
        Put(o, 17, _objectAngularVelocity * dt);
        Put(o, 20, gripStep);
        o[23] = rFingerStep;
        o[24] = lFingerStep;
        Put(_achieved, 0, _object);
    }

    private void SetInfo(TimeSpan commandTime, TimeSpan lateness, TimeSpan elapsed, bool ikFailed)
    {
        TimeSpan now = _robot.Clock.Now;
        Info.Set(InfoKeys.IsSuccess, _reward.IsSuccess(_achieved, _desired));
        Info.Set(InfoKeys.Timing, new StepTiming(now, _spec.StepPeriod, elapsed, lateness, now - _state.Stamp));
        Info.Set(FetchTaskInfoKeys.CommandLatency, _state.Stamp - commandTime);
        Info.Set(FetchTaskInfoKeys.IkFailed, ikFailed);
        Info.Set(FetchTaskInfoKeys.LinkLost, _robot.Link == LinkStatus.Lost);
        if (_spec.HasObject)
        {
            Info.Set(FetchTaskInfoKeys.ObjectTracked, _objectTracked);
            Info.Set(FetchTaskInfoKeys.ObjectAge, now - _objectStamp);
        }
        Info.Set(SafetyInfoKeys.Safety, _body.Guard?.Snapshot ?? SafetySnapshot.Initial);
        if (_image is not null)
        {
            Info.Set(FetchTaskInfoKeys.ImageAge, _imageAge);
        }
    }


    private double Uniform(double low, double high) => low + (high - low) * Rng.NextDouble();

    /// <summary>A standard normal draw from the episode's generator (Box–Muller), so noise is part of
    /// the seeded episode.</summary>
    private double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - Rng.NextDouble())) * Math.Cos(2 * Math.PI * Rng.NextDouble());


    private static Vec3 Clamp(in Vec3 v, in Vec3 min, in Vec3 max) =>
        new(Math.Clamp(v.X, min.X, max.X), Math.Clamp(v.Y, min.Y, max.Y), Math.Clamp(v.Z, min.Z, max.Z));

    private static void Put(Span<double> into, int at, in Vec3 v)
    {
        into[at] = v.X;
        into[at + 1] = v.Y;
        into[at + 2] = v.Z;
    }
}
