using RobotBridge.Robots;
using RobotBridge.Sim.Controllers;
using RobotBridge.Sim.Interop;
using RobotBridge.Sim.Scene;

namespace RobotBridge.Sim.Twin;

/// <summary>
/// The simulated Fetch in its task scene: one MuJoCo world built from urdf/fetch.urdf and the scene
/// template, holding the robot body (<see cref="FetchBody"/>: servos, controllers that behave like
/// the real robot's, sensors, camera, latency) and the task scene (<see cref="TabletopScene"/>: tables
/// and objects). This type steps them together, resets, snapshots and recovers the whole world, and
/// serves <see cref="IRobot"/> (the body's) and <see cref="ITwinScene"/> (the task's view of both).
/// See the README's "Twin vs real Fetch" for where the body differs from the real robot.
/// </summary>
/// <remarks>
/// <para>Every physics step (2 ms): pending commands whose latency has elapsed are applied, the
/// controllers write joint setpoints, the position servos get them plus gravity compensation and
/// velocity feed-forward, MuJoCo integrates, divergence is checked, and joint state / camera frames are
/// sampled when due at their own rates in sim time.</para>
/// <para>Threading: all members may be called from any thread; stepping, commands and scene edits
/// serialise on the world's one lock, camera frames are handed over under a separate one.</para>
/// </remarks>
public sealed class FetchTwin : IRobot, ITwinScene
{
    private readonly FetchTwinOptions _options;
    private readonly TwinWorld _world;
    private readonly FetchBody _body;
    private readonly TabletopScene _scene;
    private readonly DomainRandomiser _randomiser;
    private readonly int _homeKey;
    private readonly RealTimePump? _pump;

    public FetchTwin(FetchTwinOptions? options = null)
    {
        _options = options ?? new FetchTwinOptions();
        _options.Validate();
        _world = new TwinWorld(SceneBuilder.BuildModel(_options.Scene));
        try
        {
            _homeKey = 0;
            _body = new FetchBody(_world, _options);
            _scene = new TabletopScene(_world);
            _randomiser = new DomainRandomiser(_world.Model, _body.HeadCamera);
            Clock = new TwinClock(this, _options.ClockMode == TwinClockMode.Lockstep);
            Reset(_options.Seed);
            _body.ConfigureCamera(_options.Camera);
            if (_options.ClockMode == TwinClockMode.RealTime)
            {
                _pump = new RealTimePump(this);
            }
        }
        catch
        {
            _body?.Dispose();
            _world.Dispose();
            throw;
        }
    }

    public IRobotClock Clock { get; }

    public LinkStatus Link => LinkStatus.Connected;

    /// <summary>Sim time: whole 2 ms steps since the twin was created (never goes back, also not on reset).</summary>
    public TimeSpan SimTime => _world.SimTime;

    /// <summary>The compiled MuJoCo model (for tools and benchmarks; do not change it while stepping).</summary>
    public SimModel Model => _world.Model;

    /// <summary>The live simulation state, for tests that must provoke faults the public API refuses.</summary>
    internal SimData Data => _world.Data;

    /// <summary>Physics steps taken since creation.</summary>
    public long Steps => _world.Steps;

    /// <summary>Simulation faults detected so far (each one reset the twin to a safe state).</summary>
    public IReadOnlyList<TwinFault> Faults => _world.Faults;

    /// <summary>Raised (on the stepping thread) when the simulation diverged and the twin was reset, or (on the
    /// real-time camera's render thread) when the camera failed and went dark.</summary>
    public event Action<TwinFault>? Faulted
    {
        add => _world.Faulted += value;
        remove => _world.Faulted -= value;
    }

    /// <summary>Status of the most recent goal sent to <paramref name="group"/>'s controller.</summary>
    public TrajectoryStatus GetTrajectoryStatus(JointGroup group) => _body.GetTrajectoryStatus(group);

    /// <summary>Reason given to the most recent <see cref="Stop"/>, or null.</summary>
    public string? LastStopReason => _body.LastStopReason;

    /// <summary>True while the cartesian twist controller owns the arm.</summary>
    public bool CartesianTwistActive => _body.CartesianTwistActive;

    /// <summary>Turns the head camera on, off, or to another resolution/rate.</summary>
    public void ConfigureCamera(HeadCameraOptions camera) => _body.ConfigureCamera(camera);

    // ----- IRobot: the body -----

    public void ReadState(RobotState state) => _body.ReadState(state);

    public CameraFrame? TryGetCameraFrame() => _body.TryGetCameraFrame();

    public void SendTrajectory(JointTrajectory trajectory) => _body.SendTrajectory(trajectory);

    public void SendCartesianTwist(in Twist twist) => _body.SendCartesianTwist(twist);

    public void SendGripper(double separation, double maxEffort) => _body.SendGripper(separation, maxEffort);

    public void SendBaseTwist(in Twist twist) => _body.SendBaseTwist(twist);

    public void Stop(string reason) => _body.Stop(reason);

    public void SetRunstop(bool engaged) => _body.SetRunstop(engaged);

    // ----- ITwinScene: the scene, and the world as a whole -----

    public void Reset(int? seed = null)
    {
        lock (_world.Gate)
        {
            _world.StartEpoch();
            int s = seed ?? _options.Seed;
            var random = new Random(s);
            _randomiser.Apply(_options.Randomisation, random);
            _body.ReseedNoise(s);
            SimData data = _world.Data;
            data.ResetToKeyframe(_homeKey);
            data.SetConst();
            data.ResetToKeyframe(_homeKey);
            _scene.ApplyTable(TableLayout.Standard);
            data.Forward();
            data.ClearWarnings();
            _body.AfterReset();
        }
    }

    public ScenePose GetObjectPose(SceneObject item) => _scene.GetObjectPose(item);

    public void SetObjectPose(SceneObject item, in ScenePose pose)
    {
        lock (_world.Gate)
        {
            _scene.SetObjectPose(item, pose);
            // The camera shows the object where it now is, as a real camera would the moment it is put
            // down: a tracker reading the frame at an episode's start must not see the last place.
            _body.SceneChanged();
        }
    }

    /// <summary>
    /// Puts <paramref name="item"/> at rest on the standing table at <paramref name="inBase"/>'s x and y in
    /// the robot's base frame (its z is the table's), square to the base as the tasks place it; null when
    /// placed, else why not (not finite, off the table), having moved nothing. The base pose is read and the
    /// object placed under one world lock, so a driving base cannot move in between.
    /// </summary>
    public string? TryPlaceObjectOnTable(SceneObject item, RobotBridge.Model.Vec3 inBase)
    {
        if (!double.IsFinite(inBase.X) || !double.IsFinite(inBase.Y))
        {
            return $"x={inBase.X}, y={inBase.Y} in base_link is not finite";
        }
        lock (_world.Gate)
        {
            ScenePose b = _world.BodyPose(_world.Model.RequireId(MjObject.Body, SceneNames.BaseBody));
            double cos = Math.Cos(Yaw(b)), sin = Math.Sin(Yaw(b));
            double x = b.X + cos * inBase.X - sin * inBase.Y, y = b.Y + sin * inBase.X + cos * inBase.Y;
            if (_scene.TryPlaceOnTable(item, x, y, Yaw(b)) is { } refusal)
            {
                return $"x={inBase.X:F3} m, y={inBase.Y:F3} m in base_link {refusal}";
            }
            _body.SceneChanged();
            return null;
        }
    }

    /// <summary>Heading of a pose about the world's vertical.</summary>
    private static double Yaw(in ScenePose p) => Math.Atan2(2 * (p.Qw * p.Qz + p.Qx * p.Qy), 1 - 2 * (p.Qy * p.Qy + p.Qz * p.Qz));

    public ScenePose GetBodyPose(string body)
    {
        lock (_world.Gate)
        {
            return _world.BodyPose(_world.Model.RequireId(MjObject.Body, body));
        }
    }

    public void SetRobotJoints(ReadOnlySpan<double> positions) => _body.SetJoints(positions);

    public TableLayout Table => _scene.Layout;

    public void SetTable(TableLayout layout) => _scene.SetTable(layout);

    public TwinSnapshot Capture()
    {
        lock (_world.Gate)
        {
            SimData data = _world.Data;
            (double[] qRef, double gripperTarget) = _body.Capture();
            return new TwinSnapshot(data.Qpos.ToArray(), data.Qvel.ToArray(), data.QaccWarmstart.ToArray(),
                qRef, gripperTarget, _scene.Layout);
        }
    }

    /// <summary>Changes the command latency and the joint state's age (the options' <c>CommandLatency</c> and
    /// <c>ObservationLatency</c>), for a task that draws them per episode. Call before a <see cref="Restore"/>:
    /// commands still waiting out the old latency are dropped and the state history starts over.</summary>
    public void SetLatency(TimeSpan command, TimeSpan observation)
    {
        if (command < TimeSpan.Zero || observation < TimeSpan.Zero || command > TimeSpan.FromSeconds(5) || observation > TimeSpan.FromSeconds(5))
        {
            throw new ArgumentOutOfRangeException(nameof(command), $"latencies must be between 0 and 5 s, got {command} and {observation}");
        }
        lock (_world.Gate)
        {
            _body.SetLatency(command, observation);
        }
    }

    public void Restore(TwinSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (_world.Gate)
        {
            _world.StartEpoch();
            SimData data = _world.Data;
            snapshot.Qpos.CopyTo(data.Qpos);
            snapshot.Qvel.CopyTo(data.Qvel);
            _scene.ApplyTable(snapshot.Table);
            // Inputs left by the previous episode would leak into every mj_forward until the next
            // physics step rewrites them; zero them so the restored state alone decides what follows.
            data.Ctrl.Clear();
            data.QfrcApplied.Clear();
            data.Forward();
            // mj_forward overwrites the solver's warm start with an acceleration computed from whatever
            // controls the previous episode left behind; restore it after, so the next step starts
            // exactly where the captured one would have.
            snapshot.Warmstart.CopyTo(data.QaccWarmstart);
            _body.Restore(snapshot.QRef, snapshot.GripperTarget);
        }
    }

    // ----- stepping -----

    /// <summary>Steps the physics until <see cref="SimTime"/> ≥ <paramref name="time"/>.</summary>
    internal void AdvanceTo(TimeSpan time, CancellationToken cancellationToken)
    {
        lock (_world.Gate)
        {
            _world.ThrowIfDisposed();
            long target = (time.Ticks + TwinWorld.StepTicks - 1) / TwinWorld.StepTicks;
            while (_world.Steps < target)
            {
                if ((_world.Steps & 63) == 0)
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
        lock (_world.Gate)
        {
            _world.ThrowIfDisposed();
            for (int i = 0; i < count; i++)
            {
                PhysicsStep();
            }
        }
    }

    private void PhysicsStep()
    {
        SimData data = _world.Data;
        _body.ApplyDueCommands();
        data.Step1();
        _body.Actuate();
        data.Step2();
        _world.CountStep();
        if (Diverged(out string? reason))
        {
            RecoverFromDivergence(reason);
        }
        _body.Sense();
    }

    private bool Diverged(out string reason)
    {
        SimData data = _world.Data;
        reason = "";
        if (data.WarningCount(MjWarningLayout.BadQpos) > 0) reason = "MuJoCo reported a bad qpos (NaN/Inf or too large)";
        else if (data.WarningCount(MjWarningLayout.BadQvel) > 0) reason = "MuJoCo reported a bad qvel";
        else if (data.WarningCount(MjWarningLayout.BadQacc) > 0) reason = "MuJoCo reported a bad qacc (unstable simulation)";
        else
        {
            foreach (double q in data.Qpos)
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
        var fault = new TwinFault(_world.SimTime, reason);
        // Safe state: robot back in the home pose holding still, objects in place, every goal aborted.
        SimData data = _world.Data;
        data.ResetToKeyframe(_homeKey);
        _scene.ReapplyTable();
        data.Forward();
        data.ClearWarnings();
        _body.AfterDivergence();
        _world.Report(fault);
    }

    public void Dispose()
    {
        if (_world.IsDisposed)
        {
            return;
        }
        _pump?.Dispose();
        _body.Dispose();
        lock (_world.Gate)
        {
            _world.Dispose();
        }
    }
}
