using RobotBridge.Robots;
using RobotBridge.Sim.Controllers;
using RobotBridge.Sim.Interop;
using RobotBridge.Sim.Scene;

namespace RobotBridge.Sim.Twin;

/// <summary>
/// The simulated Fetch itself, in the twin's world: its joints and servos, the controllers that
/// behave like the real robot's (trajectories, cartesian twist, gripper, base) and the command latency;
/// its sensors are a <see cref="JointStateSensor"/> and a <see cref="TwinHeadCamera"/>. Knows nothing
/// of the task scene around it; <see cref="FetchTwin"/> steps it and the world together.
/// </summary>
/// <remarks>The public command and sensor members take the world's lock themselves; the stepping,
/// reset and restore hooks expect the caller to hold it.</remarks>
internal sealed class FetchBody : IDisposable
{
    private readonly TwinWorld _world;
    private readonly SimModel _model;
    private readonly SimData _data;
    private readonly object _gate;
    private readonly TwinJointMap _map;
    private readonly int _torsoBody;
    private readonly int _wristBody;
    private readonly Dictionary<JointGroup, int[]> _groups = new();
    private readonly Dictionary<JointGroup, bool[]> _continuous = new();
    private readonly TrajectoryExecution?[] _trajectories = new TrajectoryExecution?[4];
    private readonly TrajectoryExecution?[] _lastGoal = new TrajectoryExecution?[4];
    private readonly CartesianTwistController _twist;
    private readonly GripperController _gripper;
    private readonly FingerStops _stops;
    private readonly int _lFingerJoint;
    private readonly int _rFingerJoint;
    private readonly BaseController _base = new();
    private readonly double[] _qRef = new double[FetchJoints.Count];
    private readonly double[] _vRef = new double[FetchJoints.Count];
    private readonly double[] _servo = new double[FetchJoints.Count];
    private readonly double[] _q = new double[FetchJoints.Count];
    private readonly double[] _v = new double[FetchJoints.Count];
    private readonly JointStateSensor _sensor;
    private TimeSpan _commandLatency;
    private readonly Queue<(TimeSpan Due, Action Apply)> _pending = new();
    private readonly int _lFinger = FetchJoints.IndexOf(FetchJoints.LGripperFinger);
    private readonly int _rFinger = FetchJoints.IndexOf(FetchJoints.RGripperFinger);
    private readonly Func<int, double, double> _clamp;
    private readonly Action<double[], double[]> _wristJacobian;
    private readonly TwinHeadCamera _camera;
    private bool _runstopped;

    public FetchBody(TwinWorld world, FetchTwinOptions options)
    {
        _world = world;
        _model = world.Model;
        _data = world.Data;
        _gate = world.Gate;
        _map = new TwinJointMap(_model, RobotBridge.Model.UrdfLoader.Load(options.Scene.RobotUrdf));
        _torsoBody = _model.RequireId(MjObject.Body, SceneNames.TorsoLiftBody);
        _wristBody = _model.RequireId(MjObject.Body, SceneNames.WristRollBody);
        foreach (JointGroup group in Enum.GetValues<JointGroup>())
        {
            _groups[group] = FetchJoints.Of(group).Select(FetchJoints.IndexOf).ToArray();
            _continuous[group] = FetchJoints.Of(group).Select(FetchJoints.IsContinuous).ToArray();
        }
        int[] arm = _groups[JointGroup.Arm];
        _twist = new CartesianTwistController(arm, arm.Select(j => _map.DofAdr[j]).ToArray(), _model.Nv);
        double fingerForce = Math.Abs(_model.ActuatorForceRange[2 * _map.Actuator[_lFinger] + 1]);
        _gripper = new GripperController(0.05, fingerForce > 0 ? fingerForce : 60, options.GripperStallWindow);
        _lFingerJoint = _model.RequireId(MjObject.Joint, FetchJoints.LGripperFinger);
        _rFingerJoint = _model.RequireId(MjObject.Joint, FetchJoints.RGripperFinger);
        _stops = new FingerStops(_map.Lower[_lFinger], _map.Upper[_lFinger]);
        _clamp = _map.Clamp;
        _wristJacobian = (jacp, jacr) => _data.JacobianOfBody(_wristBody, jacp, jacr);
        _sensor = new JointStateSensor(world, _map, options);
        _commandLatency = options.CommandLatency;
        _camera = new TwinHeadCamera(world, renderOnOwnThread: options.ClockMode == TwinClockMode.RealTime);
    }

    /// <summary>MuJoCo id of the head camera (domain randomisation jitters it).</summary>
    public int HeadCamera => _camera.Id;

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

    /// <summary>Status of the most recent goal sent to <paramref name="group"/>'s controller.</summary>
    public TrajectoryStatus GetTrajectoryStatus(JointGroup group)
    {
        lock (_gate)
        {
            return _lastGoal[(int)group]?.Status ?? TrajectoryStatus.Idle;
        }
    }

    /// <summary>Turns the head camera on, off, or to another resolution/rate.</summary>
    public void ConfigureCamera(HeadCameraOptions camera) => _camera.Configure(camera);

    // ----- the robot's interface (IRobot through FetchTwin) -----

    public void ReadState(RobotState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (_gate)
        {
            _sensor.ReadAt(_world.SimTime, state);
            state.Runstopped = _runstopped;
        }
    }

    public CameraFrame? TryGetCameraFrame() => _camera.TryTakeFrame();

    public void SendTrajectory(JointTrajectory trajectory)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        trajectory.Validate();
        if (!double.IsFinite(trajectory.GoalTolerance) || trajectory.GoalTolerance <= 0)
        {
            throw new ArgumentException($"trajectory goal tolerance {trajectory.GoalTolerance} must be positive and finite");
        }
        if (trajectory.StartTime is { } start && (start < TimeSpan.Zero || start > _world.SimTime + TimeSpan.FromHours(1)))
        {
            throw new ArgumentException($"trajectory start time {start} is not within an hour of the twin's clock ({_world.SimTime})");
        }
        lock (_gate)
        {
            _world.ThrowIfDisposed();
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
            _world.ThrowIfDisposed();
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
            _world.ThrowIfDisposed();
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
            _world.ThrowIfDisposed();
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
            _base.Brake();
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
                // The software runstop opens the base breaker: the wheel motors lose power and the base rolls
                // out, it does not stop dead. The twin has no model of a coasting base; it keeps the ramp of
                // the stop the supervisor sends first (Stop's zero twist).
                _base.Brake();
            }
            _runstopped = engaged;
        }
    }

    /// <summary>Teleports the joints (FetchJoints.All order, clamped to their limits) and makes every
    /// servo hold there.</summary>
    public void SetJoints(ReadOnlySpan<double> positions)
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
            HaltBase();
            ResetGripper(_q[_lFinger] + _q[_rFinger]);
            SampleState();
        }
    }

    // ----- hooks of the twin's step, reset and restore (the caller holds the gate) -----

    /// <summary>Before mj_step1: the pending commands whose latency has elapsed.</summary>
    public void ApplyDueCommands()
    {
        while (_pending.Count > 0 && _pending.Peek().Due <= _world.SimTime)
        {
            _pending.Dequeue().Apply();
        }
    }

    /// <summary>Between mj_step1 and mj_step2: measure, run the controllers, write the servos.</summary>
    public void Actuate()
    {
        ReadMeasured();
        double now = _world.Seconds;
        if (!_runstopped)
        {
            UpdateControllers(now);
        }
        else
        {
            // A runstopped base still rolls out its stop ramp (BaseController.Brake).
            _base.Update(now, _world.Dt);
        }
        WriteActuation();
    }

    /// <summary>After a counted step: joint state and camera frames when due at their rates.</summary>
    public void Sense()
    {
        long ticks = _world.Steps * TwinWorld.StepTicks;
        if (_sensor.IsDue(ticks))
        {
            ReadMeasured();
            SampleState();
        }
        _camera.RenderIfDue(ticks);
    }

    /// <summary>The observation noise starts a new seeded stream (Reset).</summary>
    public void ReseedNoise(int seed) => _sensor.Reseed(seed);

    /// <summary>After the world returned to the home keyframe (Reset): nothing pending, run-stop
    /// released, servos holding, joint state history restarted.</summary>
    public void AfterReset()
    {
        _pending.Clear();
        _runstopped = false;
        ReadMeasured();
        HoldMeasured(TrajectoryStatus.Aborted);
        HaltBase();
        ResetGripper(_q[_lFinger] + _q[_rFinger]);
        _sensor.Clear();
        SampleState();
    }

    /// <summary>After the world was put back into its home keyframe because the simulation diverged:
    /// every goal aborted, servos holding where the joints are.</summary>
    public void AfterDivergence()
    {
        _pending.Clear();
        ReadMeasured();
        HoldMeasured(TrajectoryStatus.Aborted);
        HaltBase();
        ResetGripper(_q[_lFinger] + _q[_rFinger]);
    }

    /// <summary>New command latency and joint-state age (a task drawing them per episode; the caller holds
    /// the world's lock): commands still waiting out the old latency are dropped, the history starts over.</summary>
    public void SetLatency(TimeSpan command, TimeSpan observation)
    {
        _pending.Clear();
        _commandLatency = command;
        _sensor.SetLatency(observation);
    }

    /// <summary>The controller state a snapshot keeps: servo setpoints and the gripper's target.</summary>
    public (double[] QRef, double GripperTarget) Capture() => ((double[])_qRef.Clone(), _gripper.Target);

    /// <summary>After the world's state was restored from a snapshot: goals cancelled, the captured
    /// setpoints back on the servos, a fresh joint state (and camera frame of the restored scene).</summary>
    public void Restore(double[] qRef, double gripperTarget)
    {
        _pending.Clear();
        ReadMeasured();
        HoldMeasured(TrajectoryStatus.Aborted);
        HaltBase();
        qRef.CopyTo(_qRef, 0);
        qRef.CopyTo(_servo, 0);
        ResetGripper(gripperTarget);
        _sensor.Clear();
        SampleState();
        _camera.RenderNow();
    }

    /// <summary>The scene changed between steps (an object placed): a camera frame of it now, stamped
    /// with the current time. Call under the world's lock.</summary>
    public void SceneChanged() => _camera.RenderNow();

    // ----- stepping internals -----

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
            _twist.Update(now, _world.Dt, _data.Xmat.Slice(9 * _torsoBody, 9), _wristJacobian, _qRef, _vRef, _clamp);
        }
        double finger = _gripper.Update(now, _world.Dt, Finger(_lFinger), Finger(_rFinger));
        _qRef[_lFinger] = _qRef[_rFinger] = finger;
        _vRef[_lFinger] = _vRef[_rFinger] = _gripper.ReferenceVelocity;
        WriteFingerStops(finger, _gripper.ReferenceVelocity);
        ApplyFingerForceLimit();
        _base.Update(now, _world.Dt);
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
        double dt = _world.Dt;
        for (int i = 0; i < FetchJoints.Count; i++)
        {
            if (servo[i])
            {
                int d = dof[i];
                // The motor cannot follow a setpoint faster than its URDF speed limit.
                double step = maxSpeed[i] * dt;
                _servo[i] += Math.Clamp(_qRef[i] - _servo[i], -step, step);
                double velocity = Math.Clamp(_vRef[i], -maxSpeed[i], maxSpeed[i]);
                ctrl[actuator[i]] = _servo[i];
                // Gravity (and Coriolis) compensation like the Fetch's gravity_compensation controller,
                // plus velocity feed-forward that cancels the servo damping while tracking.
                applied[d] = bias[d] + damping[d] * velocity;
            }
        }
        var (x, y, yaw) = BasePose();
        _base.Follow(x, y, yaw);
        // Speed servos (wheels, planar base): implicit joint damping pulls towards the fed-forward speed.
        applied[dof[0]] = damping[dof[0]] * _base.LeftWheelSpeed;
        applied[dof[1]] = damping[dof[1]] * _base.RightWheelSpeed;
        // The planar base: the commanded speed plus a speed towards the reference pose, so a steady push
        // leaves a fixed offset (load / (damping · BaseHoldRate)) instead of a steady creep.
        double hold = ServoTuning.BaseHoldRate;
        int[] baseDof = _map.BaseDof;
        applied[baseDof[0]] = damping[baseDof[0]] * (_base.Linear * Math.Cos(yaw) + hold * (_base.RefX - x));
        applied[baseDof[1]] = damping[baseDof[1]] * (_base.Linear * Math.Sin(yaw) + hold * (_base.RefY - y));
        applied[baseDof[2]] = damping[baseDof[2]] * (_base.Angular + hold * WrapAngle(_base.RefYaw - yaw));
    }

    private static double WrapAngle(double angle) => Math.IEEERemainder(angle, 2 * Math.PI);

    /// <summary>The planar base's measured pose: world x, y (m) and yaw (rad).</summary>
    private (double X, double Y, double Yaw) BasePose()
    {
        ReadOnlySpan<double> qpos = _data.Qpos;
        int[] baseQpos = _map.BaseQpos;
        return (qpos[baseQpos[0]], qpos[baseQpos[1]], qpos[baseQpos[2]]);
    }

    /// <summary>The base stops dead and holds where it is now: for a world put somewhere else (a reset, a
    /// teleport, a restored snapshot), where no speed carries over.</summary>
    private void HaltBase()
    {
        var (x, y, yaw) = BasePose();
        _base.Halt(x, y, yaw);
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

    private void SampleState() => _sensor.Sample(_q, _v, _gripper.Holding);

    // ----- commands -----

    /// <summary>Commands wait out the configured latency in a queue; without latency they apply at once
    /// (and allocate nothing: the control loop sends one per cycle).</summary>
    private bool Delayed => _commandLatency > TimeSpan.Zero;

    private void Enqueue(Action apply) => _pending.Enqueue((_world.SimTime + _commandLatency, apply));

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
        _twist.Command(twist, _world.Seconds);
    }

    private void ApplyGripper(double separation, double maxEffort)
    {
        if (!_runstopped)
        {
            _gripper.Command(separation, maxEffort, _world.Seconds, _q[_lFinger] + _q[_rFinger]);
            ApplyFingerForceLimit();
        }
    }

    private void ApplyBaseTwist(in Twist twist)
    {
        if (!_runstopped)
        {
            _base.Command(twist, _world.Seconds);
        }
    }

    private void StartTrajectory(JointTrajectory goal)
    {
        if (_runstopped)
        {
            return;
        }
        int[] joints = _groups[goal.Group];
        double now = _world.Seconds;
        // header.stamp is on the robot's clock (SimTime); the controllers run on time since the last reset.
        double start = goal.StartTime is { } stamp ? now + (stamp - _world.SimTime).TotalSeconds : now;
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
            HoldJoint(i);
        }
    }

    private void HoldJoint(int i)
    {
        _qRef[i] = _q[i];
        _servo[i] = _q[i];
        _vRef[i] = 0.0;
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

    /// <summary>Ends every goal that shares a joint with <paramref name="joints"/> (the new command's). The
    /// ended goal's other joints hold where they are: nothing commands them any more, and left with the
    /// goal's last velocity feed-forward they went on moving (an arm_with_torso goal preempted by an arm
    /// twist carried the torso on 7 cm down at 6–8 cm/s, AdversarialActionPropertyTests seed 2).</summary>
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
                foreach (int joint in running.Joints)
                {
                    if (Array.IndexOf(joints, joint) < 0)
                    {
                        HoldJoint(joint);
                    }
                }
            }
        }
    }

    /// <summary>Every servo holds where its joint is now; goals end with <paramref name="status"/>. The
    /// base is the caller's: a stop brakes it, a teleport halts it.</summary>
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
        for (int i = 0; i < FetchJoints.Count; i++)
        {
            _qRef[i] = _q[i];
            _servo[i] = _qRef[i];
            _vRef[i] = 0.0;
        }
    }

    /// <summary>Re-seats the gripper controller, the finger servos' force cap with its effort, and the
    /// leadscrew's stops around where the fingers are now (stale stops would yank them).</summary>
    private void ResetGripper(double separation)
    {
        _gripper.Reset(separation, _world.Seconds);
        _stops.Reset(separation / 2, _q[_lFinger], _q[_rFinger]);
        ApplyFingerForceLimit();
        WriteFingerStops(separation / 2, 0.0);
    }

    /// <summary>The leadscrew's stops become the finger joints' limits; MuJoCo builds the limit
    /// constraints from them at the next step.</summary>
    private void WriteFingerStops(double nut, double nutVelocity)
    {
        var (left, right) = _stops.Update(nut, nutVelocity, _q[_lFinger], _q[_rFinger]);
        Span<double> range = _model.JntRange;
        range[2 * _lFingerJoint] = left.Lower;
        range[2 * _lFingerJoint + 1] = left.Upper;
        range[2 * _rFingerJoint] = right.Lower;
        range[2 * _rFingerJoint + 1] = right.Upper;
    }

    /// <summary>The motor pushes a finger with at most the commanded effort in the nut's direction of
    /// travel; the other way the screw holds (<see cref="ServoTuning.FingerHoldForce"/>). Before any
    /// travel (after a reset) it is the effort both ways, as a restored nut may sit far from a finger.</summary>
    private void ApplyFingerForceLimit()
    {
        Span<double> range = _model.ActuatorForceRange;
        int left = _map.Actuator[_lFinger], right = _map.Actuator[_rFinger];
        double direction = _stops.Direction, effort = _gripper.Effort, hold = ServoTuning.FingerHoldForce;
        range[2 * left] = range[2 * right] = direction > 0 ? -hold : -effort;
        range[2 * left + 1] = range[2 * right + 1] = direction < 0 ? hold : effort;
    }

    /// <summary>Frees the camera's renderer and frame (the world is the owner's to free).</summary>
    public void Dispose() => _camera.Dispose();
}
