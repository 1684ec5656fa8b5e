using RobotBridge.Robots;
using RobotBridge.Sim.Camera;
using RobotBridge.Sim.Controllers;
using RobotBridge.Sim.Interop;
using RobotBridge.Sim.Scene;

namespace RobotBridge.Sim.Twin;

/// <summary>
/// The simulated Fetch: MuJoCo physics of the scene built from urdf/fetch.urdf, driven by controllers
/// that behave like the real robot's (see the README's "Twin vs real Fetch" for where they differ).
/// </summary>
/// <remarks>
/// <para>Every physics step (2 ms): pending commands whose latency has elapsed are applied, the
/// controllers write joint setpoints, the position servos get them plus gravity compensation and
/// velocity feed-forward, MuJoCo integrates, divergence is checked, and joint state / camera frames are
/// sampled when due at their own rates in sim time.</para>
/// <para>Threading: all members may be called from any thread; stepping and commands serialise on one
/// lock, camera frames are handed over under a separate one.</para>
/// </remarks>
public sealed class FetchTwin : IRobot, ITwinScene
{
    private static readonly long StepTicks = TimeSpan.FromMilliseconds(2).Ticks;

    private readonly object _gate = new();
    private readonly object _frameGate = new();
    private readonly FetchTwinOptions _options;
    private readonly SimModel _model;
    private readonly SimData _data;
    private readonly TwinJointMap _map;
    private readonly DomainRandomiser _randomiser;
    private readonly double _dt;
    private readonly int _homeKey;
    private readonly int _headCamera;
    private readonly int _torsoBody;
    private readonly int _wristBody;
    private readonly int[] _groupJoints;
    private readonly Dictionary<JointGroup, int[]> _groups = new();
    private readonly Dictionary<JointGroup, bool[]> _continuous = new();
    private readonly TrajectoryExecution?[] _trajectories = new TrajectoryExecution?[4];
    private readonly TrajectoryExecution?[] _lastGoal = new TrajectoryExecution?[4];
    private readonly CartesianTwistController _twist;
    private readonly GripperController _gripper;
    private readonly BaseController _base = new();
    private readonly double[] _qRef = new double[FetchJoints.Count];
    private readonly double[] _vRef = new double[FetchJoints.Count];
    private readonly double[] _servo = new double[FetchJoints.Count];
    private readonly double[] _q = new double[FetchJoints.Count];
    private readonly double[] _v = new double[FetchJoints.Count];
    private readonly StateHistory _history;
    private readonly Queue<(TimeSpan Due, Action Apply)> _pending = new();
    private readonly int _lFinger = FetchJoints.IndexOf(FetchJoints.LGripperFinger);
    private readonly int _rFinger = FetchJoints.IndexOf(FetchJoints.RGripperFinger);
    private readonly Func<int, double, double> _clamp;
    private readonly Action<double[], double[]> _wristJacobian;
    private readonly int[] _objectBody = new int[2];
    private readonly int[] _objectQpos = new int[2];
    private readonly int[] _objectDof = new int[2];
    private readonly int _table;
    private readonly int _slideTable;
    private readonly double[] _tablePos = new double[3];
    private readonly double[] _slideTablePos = new double[3];
    private readonly RealTimePump? _pump;
    private Random _noise;
    private OffscreenRenderer? _renderer;
    private HeadCameraOptions _camera = HeadCameraOptions.Off;
    private CameraFrame? _latestFrame;
    private long _step;
    private long _epochStep;
    private long _nextSampleTicks;
    private long _nextFrameTicks;
    private bool _runstopped;
    private TableLayout _tableLayout = TableLayout.Standard;
    private readonly List<TwinFault> _faults = new();
    private bool _disposed;

    public FetchTwin(FetchTwinOptions? options = null)
    {
        _options = options ?? new FetchTwinOptions();
        _options.Validate();
        _model = SceneBuilder.BuildModel(_options.Scene);
        try
        {
            _data = new SimData(_model);
            _dt = _model.Timestep;
            if (Math.Abs(_dt - 0.002) > 1e-12)
            {
                throw new SceneBuildException($"the scene's timestep is {_dt} s; the twin's clock runs on 2 ms steps");
            }
            _map = new TwinJointMap(_model, RobotBridge.Model.UrdfLoader.Load(_options.Scene.RobotUrdf));
            _homeKey = 0;
            _headCamera = _model.RequireId(MjObject.Camera, SceneNames.HeadCamera);
            _torsoBody = _model.RequireId(MjObject.Body, SceneNames.TorsoLiftBody);
            _wristBody = _model.RequireId(MjObject.Body, SceneNames.WristRollBody);
            _randomiser = new DomainRandomiser(_model, _headCamera);
            foreach (JointGroup group in Enum.GetValues<JointGroup>())
            {
                _groups[group] = FetchJoints.Of(group).Select(FetchJoints.IndexOf).ToArray();
                _continuous[group] = FetchJoints.Of(group).Select(FetchJoints.IsContinuous).ToArray();
            }
            _groupJoints = _groups[JointGroup.Arm];
            _twist = new CartesianTwistController(_groupJoints, _groupJoints.Select(j => _map.DofAdr[j]).ToArray(), _model.Nv);
            double fingerForce = Math.Abs(_model.ActuatorForceRange[2 * _map.Actuator[_lFinger] + 1]);
            _gripper = new GripperController(0.05, fingerForce > 0 ? fingerForce : 60, _options.GripperStallWindow);
            _clamp = _map.Clamp;
            _wristJacobian = (jacp, jacr) => _data.JacobianOfBody(_wristBody, jacp, jacr);
            _history = new StateHistory(_options.ObservationLatency, _options.JointStateRate);
            SceneObject[] objects = [SceneObject.Cube, SceneObject.Puck];
            string[] bodies = [SceneNames.Cube, SceneNames.Puck], joints = [SceneNames.CubeJoint, SceneNames.PuckJoint];
            for (int i = 0; i < objects.Length; i++)
            {
                _objectBody[i] = _model.RequireId(MjObject.Body, bodies[i]);
                int joint = _model.RequireId(MjObject.Joint, joints[i]);
                _objectQpos[i] = _model.JntQposAdr[joint];
                _objectDof[i] = _model.JntDofAdr[joint];
            }
            _table = _model.RequireId(MjObject.Body, SceneNames.Table);
            _slideTable = _model.RequireId(MjObject.Body, SceneNames.SlideTable);
            _model.BodyPos.Slice(3 * _table, 3).CopyTo(_tablePos);
            _model.BodyPos.Slice(3 * _slideTable, 3).CopyTo(_slideTablePos);
            _noise = new Random(_options.Seed);
            Clock = new TwinClock(this, _options.ClockMode == TwinClockMode.Lockstep);
            Reset(_options.Seed);
            ConfigureCamera(_options.Camera);
            if (_options.ClockMode == TwinClockMode.RealTime)
            {
                _pump = new RealTimePump(this);
            }
        }
        catch
        {
            _renderer?.Dispose();
            _data?.Dispose();
            _model.Dispose();
            throw;
        }
    }

    public IRobotClock Clock { get; }

    public LinkStatus Link => LinkStatus.Connected;

    /// <summary>Sim time: whole 2 ms steps since the twin was created (never goes back, also not on reset).</summary>
    public TimeSpan SimTime => TimeSpan.FromTicks(Interlocked.Read(ref _step) * StepTicks);

    /// <summary>The compiled MuJoCo model (for tools and benchmarks; do not change it while stepping).</summary>
    public SimModel Model => _model;

    /// <summary>The live simulation state, for tests that must provoke faults the public API refuses.</summary>
    internal SimData Data => _data;

    /// <summary>Physics steps taken since creation.</summary>
    public long Steps => Interlocked.Read(ref _step);

    /// <summary>Simulation faults detected so far (each one reset the twin to a safe state).</summary>
    public IReadOnlyList<TwinFault> Faults
    {
        get
        {
            lock (_gate)
            {
                return _faults.ToArray();
            }
        }
    }

    /// <summary>Raised (on the stepping thread) when the simulation diverged and the twin was reset.</summary>
    public event Action<TwinFault>? Faulted;

    /// <summary>Status of the most recent goal sent to <paramref name="group"/>'s controller.</summary>
    public TrajectoryStatus GetTrajectoryStatus(JointGroup group)
    {
        lock (_gate)
        {
            return _lastGoal[(int)group]?.Status ?? TrajectoryStatus.Idle;
        }
    }

    /// <summary>Reason given to the most recent <see cref="Stop"/>, or null.</summary>
    public string? LastStopReason { get; private set; }

    /// <summary>True while the cartesian twist controller owns the arm.</summary>
    public bool CartesianTwistActive
    {
        get
        {
            lock (_gate)
            {
                return _twist.IsActive;
            }
        }
    }

    /// <summary>Turns the head camera on, off, or to another resolution/rate.</summary>
    public void ConfigureCamera(HeadCameraOptions camera)
    {
        ArgumentNullException.ThrowIfNull(camera);
        camera.Validate();
        lock (_gate)
        {
            _renderer?.Dispose();
            _renderer = null;
            _camera = camera;
            if (camera.Enabled)
            {
                _renderer = new OffscreenRenderer(_model, SceneNames.HeadCamera, camera.Width, camera.Height);
                _nextFrameTicks = SimTime.Ticks;
            }
        }
        lock (_frameGate)
        {
            _latestFrame?.Dispose();
            _latestFrame = null;
        }
    }

    // ----- IRobot -----

    public void ReadState(RobotState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (_gate)
        {
            _history.ReadAt(SimTime, state);
            state.Runstopped = _runstopped;
        }
    }

    public CameraFrame? TryGetCameraFrame()
    {
        lock (_frameGate)
        {
            CameraFrame? frame = _latestFrame;
            _latestFrame = null;
            return frame;
        }
    }

    public void SendTrajectory(JointTrajectory trajectory)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        trajectory.Validate();
        if (!double.IsFinite(trajectory.GoalTolerance) || trajectory.GoalTolerance <= 0)
        {
            throw new ArgumentException($"trajectory goal tolerance {trajectory.GoalTolerance} must be positive and finite");
        }
        if (trajectory.StartTime is { } start && (start < TimeSpan.Zero || start > SimTime + TimeSpan.FromHours(1)))
        {
            throw new ArgumentException($"trajectory start time {start} is not within an hour of the twin's clock ({SimTime})");
        }
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (Delayed)
            {
                Enqueue(() => StartTrajectory(trajectory));
            }
            else
            {
                StartTrajectory(trajectory);
            }
        }
    }

    public void SendCartesianTwist(in Twist twist)
    {
        if (!twist.IsFinite)
        {
            throw new ArgumentException($"cartesian twist {twist} is not finite");
        }
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (Delayed)
            {
                EnqueueCartesianTwist(twist);
            }
            else
            {
                ApplyCartesianTwist(twist);
            }
        }
    }

    public void SendGripper(double separation, double maxEffort)
    {
        if (!double.IsFinite(separation) || !double.IsFinite(maxEffort))
        {
            throw new ArgumentException($"gripper command separation {separation}, max effort {maxEffort} is not finite");
        }
        if (separation < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(separation), separation, "gripper separation must be ≥ 0 m (0 = closed)");
        }
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (Delayed)
            {
                EnqueueGripper(separation, maxEffort);
            }
            else
            {
                ApplyGripper(separation, maxEffort);
            }
        }
    }

    public void SendBaseTwist(in Twist twist)
    {
        if (!twist.IsFinite)
        {
            throw new ArgumentException($"base twist {twist} is not finite");
        }
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (Delayed)
            {
                EnqueueBaseTwist(twist);
            }
            else
            {
                ApplyBaseTwist(twist);
            }
        }
    }

    public void Stop(string reason)
    {
        lock (_gate)
        {
            LastStopReason = reason;
            _pending.Clear();
            HoldMeasured(TrajectoryStatus.Aborted);
        }
    }

    public void SetRunstop(bool engaged)
    {
        lock (_gate)
        {
            if (engaged && !_runstopped)
            {
                _pending.Clear();
                HoldMeasured(TrajectoryStatus.Aborted);
                ResetGripper(_q[_lFinger] + _q[_rFinger]);
            }
            _runstopped = engaged;
        }
    }

    // ----- ITwinScene -----

    public void Reset(int? seed = null)
    {
        lock (_gate)
        {
            _epochStep = _step;
            int s = seed ?? _options.Seed;
            var random = new Random(s);
            _randomiser.Apply(_options.Randomisation, random);
            _noise = new Random(unchecked(s * 7919 + 17));
            _data.ResetToKeyframe(_homeKey);
            _data.SetConst();
            _data.ResetToKeyframe(_homeKey);
            ApplyTable(TableLayout.Standard);
            _data.Forward();
            _pending.Clear();
            _runstopped = false;
            ReadMeasured();
            HoldMeasured(TrajectoryStatus.Aborted);
            ResetGripper(_q[_lFinger] + _q[_rFinger]);
            _data.ClearWarnings();
            _history.Clear();
            SampleState();
        }
    }

    public ScenePose GetObjectPose(SceneObject item)
    {
        lock (_gate)
        {
            return BodyPose(_objectBody[(int)item]);
        }
    }

    public void SetObjectPose(SceneObject item, in ScenePose pose)
    {
        if (!pose.IsFinite)
        {
            throw new ArgumentException($"pose {pose} for {item} is not finite");
        }
        double norm = Math.Sqrt(pose.Qw * pose.Qw + pose.Qx * pose.Qx + pose.Qy * pose.Qy + pose.Qz * pose.Qz);
        if (norm < 1e-9)
        {
            throw new ArgumentException($"pose quaternion for {item} is zero");
        }
        lock (_gate)
        {
            Span<double> qpos = _data.Qpos.Slice(_objectQpos[(int)item], 7);
            qpos[0] = pose.X; qpos[1] = pose.Y; qpos[2] = pose.Z;
            qpos[3] = pose.Qw / norm; qpos[4] = pose.Qx / norm; qpos[5] = pose.Qy / norm; qpos[6] = pose.Qz / norm;
            _data.Qvel.Slice(_objectDof[(int)item], 6).Clear();
            _data.Forward();
        }
    }

    public ScenePose GetBodyPose(string body)
    {
        lock (_gate)
        {
            return BodyPose(_model.RequireId(MjObject.Body, body));
        }
    }

    public void SetRobotJoints(ReadOnlySpan<double> positions)
    {
        if (positions.Length != FetchJoints.Count)
        {
            throw new ArgumentException($"{positions.Length} joint positions given, {FetchJoints.Count} expected (FetchJoints.All order)");
        }
        for (int i = 0; i < positions.Length; i++)
        {
            if (!double.IsFinite(positions[i]))
            {
                throw new ArgumentException($"joint {FetchJoints.All[i]} position {positions[i]} is not finite");
            }
        }
        lock (_gate)
        {
            Span<double> qpos = _data.Qpos;
            Span<double> qvel = _data.Qvel;
            for (int i = 0; i < FetchJoints.Count; i++)
            {
                qpos[_map.QposAdr[i]] = _map.Clamp(i, positions[i]);
                qvel[_map.DofAdr[i]] = 0.0;
            }
            _data.Forward();
            ReadMeasured();
            HoldMeasured(TrajectoryStatus.Aborted);
            ResetGripper(_q[_lFinger] + _q[_rFinger]);
            SampleState();
        }
    }

    public TableLayout Table
    {
        get
        {
            lock (_gate)
            {
                return _tableLayout;
            }
        }
    }

    public void SetTable(TableLayout layout)
    {
        lock (_gate)
        {
            ApplyTable(layout);
            _data.Forward();
        }
    }

    public TwinSnapshot Capture()
    {
        lock (_gate)
        {
            return new TwinSnapshot(_data.Qpos.ToArray(), _data.Qvel.ToArray(), _data.QaccWarmstart.ToArray(),
                (double[])_qRef.Clone(), _gripper.Target, _tableLayout);
        }
    }

    public void Restore(TwinSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (_gate)
        {
            _epochStep = _step;
            snapshot.Qpos.CopyTo(_data.Qpos);
            snapshot.Qvel.CopyTo(_data.Qvel);
            ApplyTable(snapshot.Table);
            // Inputs left by the previous episode would leak into every mj_forward until the next
            // physics step rewrites them; zero them so the restored state alone decides what follows.
            _data.Ctrl.Clear();
            _data.QfrcApplied.Clear();
            _data.Forward();
            // mj_forward overwrites the solver's warm start with an acceleration computed from whatever
            // controls the previous episode left behind; restore it after, so the next step starts
            // exactly where the captured one would have.
            snapshot.Warmstart.CopyTo(_data.QaccWarmstart);
            _pending.Clear();
            ReadMeasured();
            HoldMeasured(TrajectoryStatus.Aborted);
            snapshot.QRef.CopyTo(_qRef, 0);
            snapshot.QRef.CopyTo(_servo, 0);
            ResetGripper(snapshot.GripperTarget);
            _history.Clear();
            SampleState();
            if (_renderer is not null)
            {
                RenderFrame(); // the restored scene, not the last frame of the previous episode
            }
        }
    }

    // ----- stepping -----

    /// <summary>Steps the physics until <see cref="SimTime"/> ≥ <paramref name="time"/>.</summary>
    internal void AdvanceTo(TimeSpan time, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            long target = (time.Ticks + StepTicks - 1) / StepTicks;
            while (_step < target)
            {
                if ((_step & 63) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
                PhysicsStep();
            }
        }
    }

    /// <summary>Steps the physics <paramref name="count"/> times (benchmarks, tools).</summary>
    public void Step(int count = 1)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            for (int i = 0; i < count; i++)
            {
                PhysicsStep();
            }
        }
    }

    /// <summary>Controller time (s) since the last Reset/Restore. Controllers measure time from the
    /// state they were restored into, not from the clock's origin, so an episode restored from a
    /// snapshot replays bit for bit whenever it starts (absolute times differ in their rounding).</summary>
    private double Seconds => (_step - _epochStep) * _dt;

    private void PhysicsStep()
    {
        while (_pending.Count > 0 && _pending.Peek().Due <= SimTime)
        {
            _pending.Dequeue().Apply();
        }
        _data.Step1();
        ReadMeasured();
        double now = Seconds;
        if (!_runstopped)
        {
            UpdateControllers(now);
        }
        WriteActuation();
        _data.Step2();
        Interlocked.Increment(ref _step);

        if (Diverged(out string? reason))
        {
            RecoverFromDivergence(reason);
        }
        long ticks = _step * StepTicks;
        if (ticks >= _nextSampleTicks)
        {
            ReadMeasured();
            SampleState();
        }
        if (_renderer is not null && ticks >= _nextFrameTicks)
        {
            RenderFrame();
        }
    }

    private void UpdateControllers(double now)
    {
        for (int g = 0; g < _trajectories.Length; g++)
        {
            if (_trajectories[g] is not { } execution)
            {
                continue;
            }
            execution.Update(now, _qRef, _vRef, _q, _clamp);
            if (execution.Status == TrajectoryStatus.Aborted)
            {
                // Reported as ended: the joints stop where they are instead of chasing the lost goal.
                _trajectories[g] = null;
                HoldJoints(execution.Joints);
            }
        }
        if (_twist.IsActive)
        {
            _twist.Update(now, _dt, _data.Xmat.Slice(9 * _torsoBody, 9), _wristJacobian, _qRef, _vRef, _clamp);
        }
        double finger = _gripper.Update(now, _dt, Finger(_lFinger), Finger(_rFinger));
        _qRef[_lFinger] = _qRef[_rFinger] = finger;
        _vRef[_lFinger] = _vRef[_rFinger] = _gripper.ReferenceVelocity;
        _base.Update(now, _dt);
    }

    private FingerDrive Finger(int joint) => new(_q[joint], _v[joint],
        _model.ActuatorGainPrm[_map.Actuator[joint] * MjEnums.mjNGAIN], _model.DofDamping[_map.DofAdr[joint]]);

    private void WriteActuation()
    {
        Span<double> ctrl = _data.Ctrl;
        Span<double> applied = _data.QfrcApplied;
        ReadOnlySpan<double> bias = _data.QfrcBias;
        ReadOnlySpan<double> damping = _model.DofDamping;
        int[] actuator = _map.Actuator, dof = _map.DofAdr;
        bool[] servo = _map.IsPositionServo;
        double[] maxSpeed = _map.MaxSpeed;
        for (int i = 0; i < FetchJoints.Count; i++)
        {
            if (servo[i])
            {
                int d = dof[i];
                // The motor cannot follow a setpoint faster than its URDF speed limit.
                double step = maxSpeed[i] * _dt;
                _servo[i] += Math.Clamp(_qRef[i] - _servo[i], -step, step);
                double velocity = Math.Clamp(_vRef[i], -maxSpeed[i], maxSpeed[i]);
                ctrl[actuator[i]] = _servo[i];
                // Gravity (and Coriolis) compensation like the Fetch's gravity_compensation controller,
                // plus velocity feed-forward that cancels the servo damping while tracking.
                applied[d] = bias[d] + damping[d] * velocity;
            }
        }
        if (_runstopped)
        {
            _base.Halt();
        }
        // Speed servos (wheels, planar base): implicit joint damping pulls towards the fed-forward speed.
        applied[dof[0]] = damping[dof[0]] * _base.LeftWheelSpeed;
        applied[dof[1]] = damping[dof[1]] * _base.RightWheelSpeed;
        double yaw = _data.Qpos[_map.BaseQpos[2]];
        int[] baseDof = _map.BaseDof;
        applied[baseDof[0]] = damping[baseDof[0]] * _base.Linear * Math.Cos(yaw);
        applied[baseDof[1]] = damping[baseDof[1]] * _base.Linear * Math.Sin(yaw);
        applied[baseDof[2]] = damping[baseDof[2]] * _base.Angular;
    }

    private void ReadMeasured()
    {
        ReadOnlySpan<double> qpos = _data.Qpos, qvel = _data.Qvel;
        for (int i = 0; i < FetchJoints.Count; i++)
        {
            _q[i] = qpos[_map.QposAdr[i]];
            _v[i] = qvel[_map.DofAdr[i]];
        }
    }

    private void SampleState()
    {
        long ticks = _step * StepTicks;
        RobotState sample = _history.NextSlot();
        ReadOnlySpan<double> actuatorForce = _data.QfrcActuator, applied = _data.QfrcApplied;
        double sigmaQ = _options.Noise.PositionStdDev, sigmaV = _options.Noise.VelocityStdDev;
        for (int i = 0; i < FetchJoints.Count; i++)
        {
            int d = _map.DofAdr[i];
            sample.Position[i] = _q[i] + (sigmaQ > 0 ? sigmaQ * Gaussian() : 0.0);
            sample.Velocity[i] = _v[i] + (sigmaV > 0 ? sigmaV * Gaussian() : 0.0);
            sample.Effort[i] = actuatorForce[d] + applied[d];
        }
        // A finger's drive force includes its damping (the leadscrew's speed loop, 1200 N·s/m), whose
        // feed-forward sits in qfrc_applied: report the net, not 60 N of feed-forward on a free finger.
        ReadOnlySpan<double> damping = _model.DofDamping;
        foreach (int finger in (ReadOnlySpan<int>)[_lFinger, _rFinger])
        {
            sample.Effort[finger] -= damping[_map.DofAdr[finger]] * _v[finger];
        }
        sample.Stamp = sample.ReceivedAt = TimeSpan.FromTicks(ticks);
        sample.IsValid = true;
        sample.GripperHolding = _gripper.Holding;
        ReadOnlySpan<double> qpos = _data.Qpos;
        sample.BaseX = qpos[_map.BaseQpos[0]];
        sample.BaseY = qpos[_map.BaseQpos[1]];
        sample.BaseYaw = qpos[_map.BaseQpos[2]];
        _history.Commit();
        long period = (long)(TimeSpan.TicksPerSecond / _options.JointStateRate);
        _nextSampleTicks = (ticks / period + 1) * period;
    }

    private void RenderFrame()
    {
        long ticks = _step * StepTicks;
        long period = (long)(TimeSpan.TicksPerSecond / _camera.Rate);
        long epoch = _epochStep * StepTicks; // frames keep their phase relative to the last Reset/Restore
        _nextFrameTicks = epoch + ((ticks - epoch) / period + 1) * period;
        var frame = new CameraFrame(_camera.Width, _camera.Height, TimeSpan.FromTicks(ticks), _camera.Depth);
        try
        {
            _renderer!.Render(_data, frame.Rgb, _camera.Depth ? frame.Depth : Span<float>.Empty);
        }
        catch (Exception e) when (e is MuJoCoUnavailableException or InvalidOperationException)
        {
            // A broken GL context must not take the physics (and the control loop on it) down: the
            // camera goes dark, which the supervisor's stale-camera bound sees, and the fault is reported.
            frame.Dispose();
            _renderer?.Dispose();
            _renderer = null;
            var fault = new TwinFault(SimTime, $"head camera disabled: {e.Message}");
            _faults.Add(fault);
            Faulted?.Invoke(fault);
            return;
        }
        lock (_frameGate)
        {
            _latestFrame?.Dispose();
            _latestFrame = frame;
        }
    }

    private double Gaussian()
    {
        // Box–Muller on the twin's own seeded generator.
        double u1 = 1.0 - _noise.NextDouble(), u2 = _noise.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private bool Diverged(out string reason)
    {
        reason = "";
        if (_data.WarningCount(MjWarningLayout.BadQpos) > 0) reason = "MuJoCo reported a bad qpos (NaN/Inf or too large)";
        else if (_data.WarningCount(MjWarningLayout.BadQvel) > 0) reason = "MuJoCo reported a bad qvel";
        else if (_data.WarningCount(MjWarningLayout.BadQacc) > 0) reason = "MuJoCo reported a bad qacc (unstable simulation)";
        else
        {
            foreach (double q in _data.Qpos)
            {
                if (!double.IsFinite(q))
                {
                    reason = "non-finite qpos";
                    break;
                }
            }
        }
        return reason.Length > 0;
    }

    private void RecoverFromDivergence(string reason)
    {
        var fault = new TwinFault(SimTime, reason);
        _faults.Add(fault);
        // Safe state: robot back in the home pose holding still, objects in place, every goal aborted.
        _data.ResetToKeyframe(_homeKey);
        ApplyTable(_tableLayout);
        _data.Forward();
        _data.ClearWarnings();
        _pending.Clear();
        ReadMeasured();
        HoldMeasured(TrajectoryStatus.Aborted);
        ResetGripper(_q[_lFinger] + _q[_rFinger]);
        Faulted?.Invoke(fault);
    }

    /// <summary>Commands wait out the configured latency in a queue; without latency they apply at once
    /// (and allocate nothing: the control loop sends one per cycle).</summary>
    private bool Delayed => _options.CommandLatency > TimeSpan.Zero;

    private void Enqueue(Action apply) => _pending.Enqueue((SimTime + _options.CommandLatency, apply));

    private void EnqueueCartesianTwist(Twist twist) => Enqueue(() => ApplyCartesianTwist(twist));

    private void EnqueueGripper(double separation, double maxEffort) => Enqueue(() => ApplyGripper(separation, maxEffort));

    private void EnqueueBaseTwist(Twist twist) => Enqueue(() => ApplyBaseTwist(twist));

    private void ApplyCartesianTwist(in Twist twist)
    {
        if (_runstopped)
        {
            return;
        }
        PreemptTrajectoriesOn(_groups[JointGroup.Arm]);
        _twist.Command(twist, Seconds);
    }

    private void ApplyGripper(double separation, double maxEffort)
    {
        if (!_runstopped)
        {
            _gripper.Command(separation, maxEffort, Seconds, _q[_lFinger] + _q[_rFinger]);
            ApplyFingerForceLimit();
        }
    }

    private void ApplyBaseTwist(in Twist twist)
    {
        if (!_runstopped)
        {
            _base.Command(twist, Seconds);
        }
    }

    private void StartTrajectory(JointTrajectory goal)
    {
        if (_runstopped)
        {
            return;
        }
        int[] joints = _groups[goal.Group];
        double now = Seconds;
        // header.stamp is on the robot's clock (SimTime); the controllers run on time since the last reset.
        double start = goal.StartTime is { } stamp ? now + (stamp - SimTime).TotalSeconds : now;
        // Only a goal still running on this very controller is spliced onto; otherwise start from where the joints are.
        TrajectoryExecution? running = _trajectories[(int)goal.Group] is { Status: TrajectoryStatus.Active } r ? r : null;
        PreemptTrajectoriesOn(joints);
        if (_twist.IsActive && Overlap(joints, _groups[JointGroup.Arm]))
        {
            _twist.Deactivate(_vRef);
        }
        TrajectorySpline spline;
        if (running is not null)
        {
            spline = TrajectorySpline.Splice(running.Spline, goal, start, now, _continuous[goal.Group]);
        }
        else
        {
            Span<double> measured = stackalloc double[joints.Length];
            for (int j = 0; j < joints.Length; j++)
            {
                measured[j] = _q[joints[j]];
            }
            spline = TrajectorySpline.Start(goal, start, now, measured, _continuous[goal.Group]);
        }
        double[] tolerances = goal.GoalTolerances is { } given ? (double[])given.Clone() : Enumerable.Repeat(goal.GoalTolerance, joints.Length).ToArray();
        var execution = new TrajectoryExecution(goal.Group, joints, spline, tolerances, goal.GoalTimeTolerance);
        _trajectories[(int)goal.Group] = execution;
        _lastGoal[(int)goal.Group] = execution;
    }

    /// <summary>The given joints' servos hold where the joints are now.</summary>
    private void HoldJoints(int[] joints)
    {
        foreach (int i in joints)
        {
            _qRef[i] = _q[i];
            _servo[i] = _q[i];
            _vRef[i] = 0.0;
        }
    }

    private static bool Overlap(int[] a, int[] b)
    {
        foreach (int x in a)
        {
            if (Array.IndexOf(b, x) >= 0)
            {
                return true;
            }
        }
        return false;
    }

    private void PreemptTrajectoriesOn(int[] joints)
    {
        for (int g = 0; g < _trajectories.Length; g++)
        {
            if (_trajectories[g] is { } running && Overlap(running.Joints, joints))
            {
                if (running.Status == TrajectoryStatus.Active)
                {
                    running.Finish(TrajectoryStatus.Preempted);
                }
                _trajectories[g] = null;
            }
        }
    }

    /// <summary>Every servo holds where its joint is now; goals end with <paramref name="status"/>.</summary>
    private void HoldMeasured(TrajectoryStatus status)
    {
        for (int g = 0; g < _trajectories.Length; g++)
        {
            if (_trajectories[g] is { Status: TrajectoryStatus.Active } running)
            {
                running.Finish(status);
            }
            _trajectories[g] = null;
        }
        _twist.Deactivate(_vRef);
        _base.Halt();
        for (int i = 0; i < FetchJoints.Count; i++)
        {
            _qRef[i] = _q[i];
            _servo[i] = _qRef[i];
            _vRef[i] = 0.0;
        }
    }

    /// <summary>Re-seats the gripper controller, and the finger servos' force cap with its effort.</summary>
    private void ResetGripper(double separation)
    {
        _gripper.Reset(separation, Seconds);
        ApplyFingerForceLimit();
    }

    private void ApplyFingerForceLimit()
    {
        Span<double> range = _model.ActuatorForceRange;
        int left = _map.Actuator[_lFinger], right = _map.Actuator[_rFinger];
        range[2 * left] = range[2 * right] = -_gripper.Effort;
        range[2 * left + 1] = range[2 * right + 1] = _gripper.Effort;
    }

    private void ApplyTable(TableLayout layout)
    {
        _tableLayout = layout;
        Span<double> pos = _model.BodyPos;
        const double parked = -5.0;
        _tablePos.CopyTo(pos.Slice(3 * _table, 3));
        _slideTablePos.CopyTo(pos.Slice(3 * _slideTable, 3));
        pos[3 * _table + 2] = layout == TableLayout.Standard ? _tablePos[2] : parked;
        // Both Gym tables stand on the floor with their centre at the standard table's height.
        pos[3 * _slideTable + 2] = layout == TableLayout.Slide ? _tablePos[2] : parked;
    }

    private ScenePose BodyPose(int body)
    {
        ReadOnlySpan<double> p = _data.Xpos.Slice(3 * body, 3), q = _data.Xquat.Slice(4 * body, 4);
        return new ScenePose(p[0], p[1], p[2], q[0], q[1], q[2], q[3]);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _pump?.Dispose();
        lock (_gate)
        {
            _disposed = true;
            _renderer?.Dispose();
            _renderer = null;
            _data.Dispose();
            _model.Dispose();
        }
        lock (_frameGate)
        {
            _latestFrame?.Dispose();
            _latestFrame = null;
        }
    }
}
