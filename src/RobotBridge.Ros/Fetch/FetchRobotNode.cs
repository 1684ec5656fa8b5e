using System.Collections.Concurrent;
using System.Diagnostics;
using RobotBridge.Control;
using RobotBridge.Robots;
using RobotBridge.Ros.Client;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Serialization;
using RobotBridge.Ros.Server;
using RobotBridge.Tasks;

namespace RobotBridge.Ros.Fetch;

/// <summary>Rates of what a <see cref="FetchRobotNode"/> publishes.</summary>
public sealed record FetchNodeOptions
{
    /// <summary>Each of the two /joint_states messages (body, gripper) is published at this rate.</summary>
    public double JointStateRate { get; init; } = 100;

    public TimeSpan CameraPeriod { get; init; } = FetchTopics.CameraPeriod;

    /// <summary>Rate limit of <see cref="FetchTopics.RgbThrottled"/>, as launch/head_camera.launch's
    /// camera_hz (topic_tools throttle: a frame passes when 1/rate has gone since the last one passed,
    /// so 10 Hz of a 15 Hz camera forwards every other frame).</summary>
    public double ThrottledCameraRate { get; init; } = 10;

    /// <summary>Rate of the object pose (when the node has an object source): a detector on the head
    /// camera's stream would manage about this.</summary>
    public double ObjectPoseRate { get; init; } = 30;

    /// <summary>Where the object pose is published (geometry_msgs/PoseStamped in base_link).</summary>
    public string ObjectPoseTopic { get; init; } = FetchTopics.ObjectPose;

    /// <summary>The robot model whose joint ranges every goal is checked against (null = urdf/fetch.urdf).</summary>
    public RobotBridge.Model.RobotModel? Model { get; init; }

    /// <summary>Stop the robot when a client that commanded it disconnects without a close handshake.</summary>
    public bool StopOnCommanderLoss { get; init; } = true;
}

/// <summary>
/// Serves any <see cref="IRobot"/> (the MuJoCo twin, or a stand-in) under the real Fetch's ROS
/// names through a <see cref="RosbridgeServer"/>: /joint_states as two partial messages (body and
/// gripper, as the real drivers publish), the head camera at its real rate, the controllers'
/// actions (actionlib topics for ROS 1 clients, action ops for ROS 2), the twist topics and the
/// software runstop; given an object source, the task object's pose as a detector would publish it. All robot calls happen on the node's own thread, which also paces a virtual
/// clock in real time; camera frames are copied, encoded and sent on a thread of their own at a lower priority
/// (<see cref="HeadCameraPublisher"/>), so joint states never wait for them; a client that commanded the robot and then vanished stops it.
/// </summary>
public sealed class FetchRobotNode : IDisposable
{
    /// <summary>A trajectory goal the node executes: its spline as the controller builds it (the node's own copy,
    /// for the path tolerances and the feedback), its tolerances and the times it ends and aborts by.</summary>
    private sealed class TrajectoryGoal(JointGroup group, string id, TrajectorySpline spline, double[] goalTolerances,
        double[]? pathPositionTolerances, double[]? pathVelocityTolerances, TimeSpan deadline,
        Action<byte, int, string> finish, ServerSession session)
    {
        public JointGroup Group { get; } = group;
        public string Id { get; } = id;
        /// <summary>On the robot's clock in seconds.</summary>
        public TrajectorySpline Spline { get; } = spline;
        public double[] GoalTolerances { get; } = goalTolerances;
        public double[]? PathPositionTolerances { get; } = pathPositionTolerances;
        public double[]? PathVelocityTolerances { get; } = pathVelocityTolerances;
        public TimeSpan End { get; } = TimeSpan.FromSeconds(spline.EndTime);
        public TimeSpan Deadline { get; } = deadline;
        /// <summary>ROS 1 status code, FollowJointTrajectory error code, text.</summary>
        public Action<byte, int, string> Finish { get; } = finish;
        public ServerSession Session { get; } = session;
    }

    private sealed class GripperGoal(string id, double target, TimeSpan started, Action<byte, GripperCommandResult> finish, ServerSession session)
    {
        public string Id { get; } = id;
        public double Target { get; } = target;
        public TimeSpan Started { get; } = started;
        public double LastSeparation { get; set; } = double.NaN;
        public TimeSpan LastMoved { get; set; } = started;
        public Action<byte, GripperCommandResult> Finish { get; } = finish;
        public ServerSession Session { get; } = session;
    }

    private readonly RosbridgeServer _server;
    private readonly IRobot _robot;
    private readonly FetchNodeOptions _options;
    private readonly (double Lower, double Upper)?[] _ranges;
    private readonly ConcurrentQueue<Action> _commands = new();
    private readonly ConcurrentDictionary<int, ServerSession> _commanders = new();
    private readonly Dictionary<JointGroup, TrajectoryGoal> _trajectories = [];
    private readonly Dictionary<JointGroup, ActionlibServer<FollowJointTrajectoryGoal, FollowJointTrajectoryResult, FollowJointTrajectoryFeedback>> _actionlib = [];
    private readonly ActionlibServer<GripperCommandGoal, GripperCommandResult, GripperCommandFeedback> _gripperActionlib;
    private GripperGoal? _gripper;
    private readonly LocalPublisher<JointState> _jointStates;
    private readonly HeadCameraPublisher _camera;
    private readonly LocalPublisher<BoolMsg> _runstopState;
    private readonly IObjectTracker? _objectSource;
    private readonly LocalPublisher<PoseStamped>? _objectPose;
    private readonly PoseStamped _objectMessage = new();
    private readonly RobotState _state = new();
    private readonly JointState _body = new();
    private readonly JointState _fingers = new();
    private readonly Thread _thread;
    private readonly CancellationTokenSource _stop = new();
    private readonly FixedRateScheduler _scheduler;
    private bool _runstopCommanded;
    private long _ticks;

    /// <param name="objectSource">The task object's pose in the robot's base frame, stamped on the robot's
    /// clock (the twin's ground truth), published on <see cref="FetchNodeOptions.ObjectPoseTopic"/>; null for none.</param>
    /// <param name="objectTeleporter">Moves the task object where clients with the operator role ask on
    /// <see cref="FetchTopics.PlaceObject"/> (a twin's; null: no such topic, as on a real Fetch).</param>
    public FetchRobotNode(RosbridgeServer server, IRobot robot, FetchNodeOptions? options = null, IObjectTracker? objectSource = null,
        IObjectTeleporter? objectTeleporter = null)
    {
        _server = server;
        _robot = robot;
        _options = options ?? new FetchNodeOptions();
        _scheduler = new FixedRateScheduler(new WallClock(spinThreshold: TimeSpan.Zero), TimeSpan.FromSeconds(1.0 / _options.JointStateRate),
            new FixedRateSchedulerOptions { MissedTicks = MissedTickPolicy.CatchUp, CatchUpLimit = 10, TimingCapacity = 4096 });
        _ranges = FollowJointTrajectoryRules.Ranges(_options.Model ?? RobotBridge.Model.FetchModel.Load());
        _objectSource = objectSource;
        if (objectSource is not null)
        {
            if (!double.IsFinite(_options.ObjectPoseRate) || _options.ObjectPoseRate <= 0)
            {
                throw new ArgumentException($"object pose rate {_options.ObjectPoseRate} Hz must be positive");
            }
            _objectPose = server.AdvertiseLocal<PoseStamped>(_options.ObjectPoseTopic);
            _objectMessage.Header.FrameId = FetchTopics.ObjectFrame;
        }
        _jointStates = server.AdvertiseLocal<JointState>(FetchTopics.JointStates);
        _camera = new HeadCameraPublisher(server, _options);
        _runstopState = server.AdvertiseLocal<BoolMsg>(FetchTopics.SoftwareRunstopEnabled);
        _body.Name.AddRange(FetchTopics.BodyJoints);
        _fingers.Name.AddRange(FetchTopics.GripperJoints);

        server.SubscribeLocal<TwistStamped>(FetchTopics.CartesianTwist, (cmd, session) =>
        {
            // An empty frame id stops the Fetch's cartesian twist controller.
            var twist = cmd.Header.FrameId.Length == 0 ? Twist.Zero : cmd.Twist.ToTwist();
            Command(session, () => _robot.SendCartesianTwist(twist));
        });
        server.SubscribeLocal<TwistMsg>(FetchTopics.BaseCommand, (cmd, session) => { var t = cmd.ToTwist(); Command(session, () => _robot.SendBaseTwist(t)); });
        server.SubscribeLocal<TwistMsg>(FetchTopics.CmdVel, (cmd, session) => { var t = cmd.ToTwist(); Command(session, () => _robot.SendBaseTwist(t)); });
        var runstopAuthority = new RunstopAuthority(server.IsConnected);
        server.SubscribeLocal<BoolMsg>(FetchTopics.EnableSoftwareRunstop, (cmd, session) =>
        {
            bool engage = cmd.Data;
            if (runstopAuthority.Request(session, engage) is { } refusal)
            {
                server.SendStatus(session, "error", $"publish: {FetchTopics.EnableSoftwareRunstop}: {refusal}", null);
                return;
            }
            Command(session, () =>
            {
                _runstopCommanded = engage;
                _robot.SetRunstop(engage);
            });
        }, publisherRole: ClientRole.Viewer);
        if (objectTeleporter is not null)
        {
            // Moving the object moves what the robot acts on: the role that commands motion, no less.
            server.SubscribeLocal<PointStamped>(FetchTopics.PlaceObject, (cmd, session) => PlaceObject(objectTeleporter, cmd, session),
                publisherRole: ClientRole.Operator);
        }

        foreach (var group in FetchTopics.Groups)
        {
            string name = FetchTopics.TrajectoryAction(group);
            var g = group;
            var actionlib = new ActionlibServer<FollowJointTrajectoryGoal, FollowJointTrajectoryResult, FollowJointTrajectoryFeedback>(
                server, name, () => _robot.Clock.Now,
                goal => FollowJointTrajectoryRules.Validate(g, goal, _ranges, _robot.Clock.Now),
                (goal, id, session) => StartTrajectory(g, goal, id, session, () => _actionlib[g].TryAccept(id), (status, code, text) =>
                    _actionlib[g].Finish(id, status, text, r => { r.ErrorCode = code; r.ErrorString = text; })),
                id => Enqueue(() => CancelTrajectory(g, id)),
                (result, reason) => { result.ErrorCode = FollowJointTrajectoryRules.InvalidGoal; result.ErrorString = reason; });
            _actionlib[group] = actionlib;
            server.ProvideAction<FollowJointTrajectoryGoal>(name, (goal, handle) =>
            {
                Action<byte, int, string> finish = (status, code, text) =>
                    handle.Finish(Ros2Status(status), new FollowJointTrajectoryResult { ErrorCode = code, ErrorString = text });
                if (FollowJointTrajectoryRules.Validate(g, goal, _ranges, _robot.Clock.Now) is { } reason)
                {
                    finish(Messages.GoalStatusCode.Rejected, FollowJointTrajectoryRules.InvalidGoal, reason);
                    return;
                }
                StartTrajectory(g, goal, handle.Id, handle.Session, () => !handle.IsFinished, finish);
                handle.CancelRequested.Register(() => Enqueue(() => CancelTrajectory(g, handle.Id)));
            });
        }
        _gripperActionlib = new ActionlibServer<GripperCommandGoal, GripperCommandResult, GripperCommandFeedback>(
            server, FetchTopics.GripperAction, () => _robot.Clock.Now,
            goal => double.IsFinite(goal.Position) && double.IsFinite(goal.MaxEffort) && goal.Position >= 0 ? null
                : $"gripper goal position {goal.Position}, max effort {goal.MaxEffort}: must be finite, position ≥ 0",
            (goal, id, session) => StartGripper(goal, id, session, () => _gripperActionlib!.TryAccept(id), (status, result) =>
                _gripperActionlib!.Finish(id, status, status == Messages.GoalStatusCode.Succeeded ? "" : "gripper goal ended", r => Copy(result, r))),
            id => Enqueue(() => CancelGripper(id)));
        server.ProvideAction<GripperCommandGoal>(FetchTopics.GripperAction, (goal, handle) =>
        {
            StartGripper(goal, handle.Id, handle.Session, () => !handle.IsFinished, (status, result) => handle.Finish(Ros2Status(status), result));
            handle.CancelRequested.Register(() => Enqueue(() => CancelGripper(handle.Id)));
        });

        server.ClientDisconnected += OnClientDisconnected;
        _thread = new Thread(Run) { IsBackground = true, Name = "FetchRobotNode" };
        _thread.Start();
    }

    /// <summary>One line per object placement asked on <see cref="FetchTopics.PlaceObject"/>, done or
    /// refused, for the server's log (raised on the node thread or the session's receive thread).</summary>
    public event Action<string>? ObjectPlacement;

    /// <summary>Node cycles so far (one per joint-state period).</summary>
    public long Ticks => Interlocked.Read(ref _ticks);

    /// <summary>Cycles that ran later than their period (the robot or the encoders could not keep up).</summary>
    public long Overruns => _scheduler.Misses;

    private static int Ros2Status(byte ros1) => ros1 switch
    {
        Messages.GoalStatusCode.Succeeded => Ros2GoalStatus.Succeeded,
        Messages.GoalStatusCode.Preempted or Messages.GoalStatusCode.Recalled => Ros2GoalStatus.Canceled,
        _ => Ros2GoalStatus.Aborted,
    };

    private static void Copy(GripperCommandResult from, GripperCommandResult to)
    {
        to.Position = from.Position;
        to.Effort = from.Effort;
        to.Stalled = from.Stalled;
        to.ReachedGoal = from.ReachedGoal;
    }

    private void Enqueue(Action action) => _commands.Enqueue(action);

    /// <summary>Checks a placement request and hands it to the node thread, between two cycles, so the
    /// object moves between two published poses; refusals go back to the client and to the log.</summary>
    private void PlaceObject(IObjectTeleporter teleporter, PointStamped cmd, ServerSession session)
    {
        var at = new RobotBridge.Model.Vec3(cmd.Point.X, cmd.Point.Y, cmd.Point.Z);
        string? refusal = cmd.Header.FrameId != FetchTopics.ObjectFrame
            ? $"frame \"{cmd.Header.FrameId}\" is not {FetchTopics.ObjectFrame}"
            : !double.IsFinite(at.X) || !double.IsFinite(at.Y) ? $"x={at.X}, y={at.Y} is not finite" : null;
        if (refusal is not null)
        {
            RefusePlacement(session, refusal);
            return;
        }
        Enqueue(() =>
        {
            if (teleporter.TryPlace(at) is { } why)
            {
                RefusePlacement(session, why);
                return;
            }
            ObjectPlacement?.Invoke($"client {session.Id} placed the object at x={at.X:F3} m, y={at.Y:F3} m (base_link)");
        });
    }

    private void RefusePlacement(ServerSession session, string why)
    {
        _server.SendStatus(session, "error", $"publish: {FetchTopics.PlaceObject}: refused: {why}", null);
        ObjectPlacement?.Invoke($"client {session.Id}: object placement refused: {why}");
    }

    private void Command(ServerSession session, Action action)
    {
        _commanders[session.Id] = session;
        _commands.Enqueue(action);
    }

    private void OnClientDisconnected(ServerSession session, bool clean)
    {
        if (!_commanders.TryRemove(session.Id, out _) || !_options.StopOnCommanderLoss)
        {
            return;
        }
        Enqueue(() =>
        {
            string reason = $"rosbridge client {session.Remote} that commanded the robot disconnected{(clean ? "" : " without closing (link lost)")}";
            _robot.Stop(reason);
            foreach (var goal in _trajectories.Values.Where(g => g.Session == session).ToList())
            {
                _trajectories.Remove(goal.Group);
                goal.Finish(Messages.GoalStatusCode.Aborted, -4, reason);
            }
            if (_gripper is { } gripper && gripper.Session == session)
            {
                _gripper = null;
                gripper.Finish(Messages.GoalStatusCode.Aborted, new GripperCommandResult());
            }
        });
    }

    // ---------------------------------------------------------------- goals (run on the node thread)

    /// <summary>Queues a goal that passed validation; on the node thread it is taken (unless superseded
    /// meanwhile), preempts the running goal of its group and starts or splices, as robot_controllers does.</summary>
    private void StartTrajectory(JointGroup group, FollowJointTrajectoryGoal goal, string id, ServerSession session,
        Func<bool> accept, Action<byte, int, string> finish)
    {
        string? mismatch = FollowJointTrajectoryRules.JointsMismatch(group, goal);
        JointTrajectory? trajectory = mismatch is null ? FollowJointTrajectoryRules.ToTrajectory(group, goal, _ranges) : null;
        var stamp = goal.Trajectory.Header.Stamp;
        double[]? goalTolerances = FollowJointTrajectoryRules.Tolerances(group, goal.GoalTolerance, t => t.Position, FollowJointTrajectoryRules.DefaultGoalTolerance);
        double[]? pathPositions = FollowJointTrajectoryRules.Tolerances(group, goal.PathTolerance, t => t.Position, null);
        double[]? pathVelocities = FollowJointTrajectoryRules.Tolerances(group, goal.PathTolerance, t => t.Velocity, null);
        var timeTolerance = goal.GoalTimeTolerance.ToTimeSpan() + FollowJointTrajectoryRules.AbortSlack;
        Command(session, () =>
        {
            if (!accept())
            {
                return; // superseded or recalled before the controller took it
            }
            _robot.ReadState(_state);
            _trajectories.TryGetValue(group, out var running);
            if (running is not null)
            {
                _trajectories.Remove(group);
                running.Finish(Messages.GoalStatusCode.Preempted, FollowJointTrajectoryRules.Successful, FollowJointTrajectoryRules.Preempted);
            }
            if (trajectory is null)
            {
                finish(Messages.GoalStatusCode.Aborted, FollowJointTrajectoryRules.InvalidJoints, mismatch!);
                if (running is not null)
                {
                    Hold(group);
                }
                return;
            }
            // A zero header.stamp is the controller's now: the robot's, which a twin catching up on its clock
            // may have moved past ours; the node's copy starts after the robot's, so it never ends earlier.
            TimeSpan? stamped = stamp.IsZero ? null : stamp.ToTimeSpan();
            try
            {
                _robot.SendTrajectory(trajectory with
                {
                    StartTime = stamped,
                    GoalTolerances = goalTolerances,
                    GoalTimeTolerance = timeTolerance,
                });
            }
            catch (ArgumentException e)
            {
                finish(Messages.GoalStatusCode.Aborted, FollowJointTrajectoryRules.InvalidGoal, e.Message);
                Hold(group);
                return;
            }
            var now = _robot.Clock.Now;
            var start = stamped ?? now;
            var continuous = FetchJoints.Of(group).Select(FetchJoints.IsContinuous).ToArray();
            TrajectorySpline spline = running is not null
                ? TrajectorySpline.Splice(running.Spline, trajectory, start.TotalSeconds, now.TotalSeconds, continuous)
                : TrajectorySpline.Start(trajectory, start.TotalSeconds, now.TotalSeconds, GroupPositions(group), continuous);
            _trajectories[group] = new TrajectoryGoal(group, id, spline, goalTolerances!, pathPositions, pathVelocities,
                TimeSpan.FromSeconds(spline.EndTime) + timeTolerance, finish, session);
        });
    }

    private double[] GroupPositions(JointGroup group) => [.. FetchJoints.Of(group).Select(j => _state.Position[FetchJoints.IndexOf(j)])];

    /// <summary>The group's joints hold where they are: a goal reported as ended must not go on moving them.</summary>
    private void Hold(JointGroup group)
    {
        _robot.ReadState(_state);
        var hold = new TrajectoryPoint(GroupPositions(group), null, TimeSpan.Zero);
        _robot.SendTrajectory(new JointTrajectory(group, [hold]));
    }

    private void CancelTrajectory(JointGroup group, string id)
    {
        if (!_trajectories.TryGetValue(group, out var goal) || goal.Id != id)
        {
            return;
        }
        _trajectories.Remove(group);
        Hold(group);
        goal.Finish(Messages.GoalStatusCode.Preempted, FollowJointTrajectoryRules.Successful, FollowJointTrajectoryRules.Preempted);
    }

    private void StartGripper(GripperCommandGoal goal, string id, ServerSession session, Func<bool> accept, Action<byte, GripperCommandResult> finish)
    {
        double target = goal.Position, effort = goal.MaxEffort;
        Command(session, () =>
        {
            if (!accept())
            {
                return;
            }
            try
            {
                _robot.SendGripper(target, effort);
            }
            catch (ArgumentException)
            {
                finish(Messages.GoalStatusCode.Rejected, new GripperCommandResult());
                return;
            }
            _gripper?.Finish(Messages.GoalStatusCode.Preempted, new GripperCommandResult());
            _gripper = new GripperGoal(id, target, _robot.Clock.Now, finish, session);
        });
    }

    private void CancelGripper(string id)
    {
        if (_gripper is { } g && g.Id == id)
        {
            _gripper = null;
            g.Finish(Messages.GoalStatusCode.Preempted, new GripperCommandResult { Position = _state.GripperSeparation });
        }
    }

    private void CheckGoals(TimeSpan now)
    {
        foreach (var goal in _trajectories.Values.ToList())
        {
            if (CheckTrajectory(goal, now) is { } end)
            {
                _trajectories.Remove(goal.Group);
                if (end.Status != Messages.GoalStatusCode.Succeeded)
                {
                    Hold(goal.Group);
                }
                goal.Finish(end.Status, end.Code, end.Text);
            }
            else if (_ticks % 2 == 0 && _actionlib.TryGetValue(goal.Group, out var server))
            {
                server.Feedback(goal.Id, f => FillFeedback(goal, now, f));
            }
        }
        if (_gripper is { } gripper)
        {
            double separation = _state.GripperSeparation;
            if (double.IsNaN(gripper.LastSeparation) || Math.Abs(separation - gripper.LastSeparation) > 0.0005)
            {
                gripper.LastSeparation = separation;
                gripper.LastMoved = now;
            }
            bool reached = Math.Abs(separation - gripper.Target) < 0.002;
            bool stalled = now - gripper.LastMoved > TimeSpan.FromSeconds(0.5) && now - gripper.Started > TimeSpan.FromSeconds(0.5);
            if (reached || stalled || now - gripper.Started > TimeSpan.FromSeconds(10))
            {
                _gripper = null;
                var result = new GripperCommandResult { Position = separation, ReachedGoal = reached, Stalled = stalled && !reached };
                gripper.Finish(reached || stalled ? Messages.GoalStatusCode.Succeeded : Messages.GoalStatusCode.Aborted, result);
            }
        }
    }

    /// <summary>robot_controllers' checks for one cycle: path tolerances while running; after the end time,
    /// success within the goal tolerances, else abort past end + goal_time_tolerance + 0.6 s. Null = still running.</summary>
    private (byte Status, int Code, string Text)? CheckTrajectory(TrajectoryGoal goal, TimeSpan now)
    {
        var joints = FetchJoints.Of(goal.Group);
        Span<double> q = stackalloc double[joints.Count];
        Span<double> qd = stackalloc double[joints.Count];
        Span<double> qdd = stackalloc double[joints.Count];
        if (!goal.Spline.Sample(now.TotalSeconds, q, qd, qdd))
        {
            return null; // not started (a future header.stamp)
        }
        bool ended = now.TotalSeconds >= goal.Spline.EndTime;
        for (int j = 0; j < joints.Count; j++)
        {
            int k = FetchJoints.IndexOf(joints[j]);
            double error = Error(joints[j], q[j], _state.Position[k]);
            if (goal.PathPositionTolerances is { } path && path[j] > 0 && Math.Abs(error) > path[j])
            {
                return (Messages.GoalStatusCode.Aborted, FollowJointTrajectoryRules.PathToleranceViolated, FollowJointTrajectoryRules.PathPosition);
            }
            double desiredVelocity = ended ? 0 : qd[j];
            if (goal.PathVelocityTolerances is { } pathV && pathV[j] > 0 && Math.Abs(_state.Velocity[k] - desiredVelocity) > pathV[j])
            {
                return (Messages.GoalStatusCode.Aborted, FollowJointTrajectoryRules.PathToleranceViolated, FollowJointTrajectoryRules.PathVelocity);
            }
        }
        if (!ended)
        {
            return null;
        }
        bool inside = true;
        for (int j = 0; j < joints.Count; j++)
        {
            double error = Error(joints[j], q[j], _state.Position[FetchJoints.IndexOf(joints[j])]);
            if (goal.GoalTolerances[j] > 0 && Math.Abs(error) > goal.GoalTolerances[j])
            {
                inside = false;
            }
        }
        if (inside)
        {
            return (Messages.GoalStatusCode.Succeeded, FollowJointTrajectoryRules.Successful, FollowJointTrajectoryRules.Succeeded);
        }
        return now > goal.Deadline
            ? (Messages.GoalStatusCode.Aborted, FollowJointTrajectoryRules.GoalToleranceViolated, FollowJointTrajectoryRules.TimeLimits)
            : null;
    }

    /// <summary>Measured minus desired; continuous joints the shortest way round (upstream shortest_angular_distance).</summary>
    private static double Error(string joint, double desired, double actual) =>
        FetchJoints.IsContinuous(joint) ? TrajectorySpline.ShortestAngularDistance(desired, actual) : actual - desired;

    private void FillFeedback(TrajectoryGoal goal, TimeSpan now, FollowJointTrajectoryFeedback feedback)
    {
        var joints = FetchJoints.Of(goal.Group);
        feedback.Header.Stamp = RosTime.FromTimeSpan(now);
        feedback.JointNames.AddRange(joints);
        Span<double> q = stackalloc double[joints.Count];
        Span<double> qd = stackalloc double[joints.Count];
        Span<double> qdd = stackalloc double[joints.Count];
        goal.Spline.Sample(now.TotalSeconds, q, qd, qdd);
        var desired = feedback.Desired.Positions.Resize(joints.Count);
        var desiredVelocity = feedback.Desired.Velocities.Resize(joints.Count);
        var actual = feedback.Actual.Positions.Resize(joints.Count);
        var actualVelocity = feedback.Actual.Velocities.Resize(joints.Count);
        var error = feedback.Error.Positions.Resize(joints.Count);
        for (int j = 0; j < joints.Count; j++)
        {
            int k = FetchJoints.IndexOf(joints[j]);
            desired[j] = q[j];
            desiredVelocity[j] = qd[j];
            actual[j] = _state.Position[k];
            actualVelocity[j] = _state.Velocity[k];
            error[j] = Error(joints[j], q[j], _state.Position[k]);
        }
    }

    // ---------------------------------------------------------------- the node thread

    private void Run()
    {
        var wall = Stopwatch.StartNew();
        var robotStart = _robot.Clock.Now;
        var nextFrame = TimeSpan.Zero;
        var nextStatus = TimeSpan.Zero;
        var nextObject = TimeSpan.Zero;
        var objectPeriod = TimeSpan.FromSeconds(1.0 / _options.ObjectPoseRate);
        // Paced on the wall clock whatever the body's clock: the served node keeps real time. Late
        // ticks are caught up (subscribers count joint states), unless it fell ten periods behind.
        _scheduler.Run(() =>
        {
            try
            {
                if (_robot.Clock.IsVirtual)
                {
                    _robot.Clock.WaitUntil(robotStart + wall.Elapsed, _stop.Token);
                }
                while (_commands.TryDequeue(out var command))
                {
                    command();
                }
                // State first, then the time: reading state may wait for a twin catching up on its clock,
                // and the goals are checked against the time the state is from or later.
                _robot.ReadState(_state);
                var now = _robot.Clock.Now;
                PublishJointStates(now);
                CheckGoals(now);
                if (wall.Elapsed >= nextFrame)
                {
                    nextFrame = wall.Elapsed + _options.CameraPeriod;
                    // Only taken here (robot calls stay on this thread); copied, encoded and sent on the camera's own.
                    if (_robot.TryGetCameraFrame() is { } frame)
                    {
                        _camera.Post(frame);
                    }
                }
                if (_objectPose is not null && wall.Elapsed >= nextObject)
                {
                    nextObject = wall.Elapsed + objectPeriod;
                    PublishObjectPose();
                }
                if (wall.Elapsed >= nextStatus)
                {
                    nextStatus = wall.Elapsed + TimeSpan.FromMilliseconds(100);
                    if (_runstopState.HasSubscribers)
                    {
                        _runstopState.Publish(new BoolMsg { Data = _runstopCommanded || _state.Runstopped });
                    }
                    foreach (var server in _actionlib.Values)
                    {
                        server.PublishStatus();
                    }
                    _gripperActionlib.PublishStatus();
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A faulting robot or encoder must not kill the node thread; stop the robot and go on.
                Trace.TraceError($"FetchRobotNode cycle failed: {e}");
                try
                {
                    _robot.Stop($"FetchRobotNode cycle failed: {e.Message}");
                }
                catch (Exception)
                {
                    // Stop is best effort here.
                }
            }
            Interlocked.Increment(ref _ticks);
        }, _stop.Token);
    }

    private void PublishJointStates(TimeSpan now)
    {
        if (!_jointStates.HasSubscribers)
        {
            return;
        }
        var stamp = RosTime.FromTimeSpan(_state.Stamp > TimeSpan.Zero ? _state.Stamp : now);
        Fill(_body, FetchTopics.BodyJoints, stamp);
        Fill(_fingers, FetchTopics.GripperJoints, stamp);
        _jointStates.Publish(_body);
        _jointStates.Publish(_fingers);
    }

    private void Fill(JointState message, IReadOnlyList<string> joints, RosTime stamp)
    {
        message.Header.Stamp = stamp;
        message.Header.Seq++;
        var p = message.Position.Resize(joints.Count);
        var v = message.Velocity.Resize(joints.Count);
        var e = message.Effort.Resize(joints.Count);
        for (int i = 0; i < joints.Count; i++)
        {
            int k = FetchJoints.IndexOf(joints[i]);
            p[i] = _state.Position[k];
            v[i] = _state.Velocity[k];
            e[i] = _state.Effort[k];
        }
    }

    private void PublishObjectPose()
    {
        if (!_objectPose!.HasSubscribers || !_objectSource!.TryGetObjectState(out ObjectState state))
        {
            return;
        }
        var (x, y, z, w) = state.Orientation.ToQuaternion();
        _objectMessage.Header.Seq++;
        _objectMessage.Header.Stamp = RosTime.FromTimeSpan(state.Stamp);
        _objectMessage.Pose.Position.X = state.Position.X;
        _objectMessage.Pose.Position.Y = state.Position.Y;
        _objectMessage.Pose.Position.Z = state.Position.Z;
        _objectMessage.Pose.Orientation.X = x;
        _objectMessage.Pose.Orientation.Y = y;
        _objectMessage.Pose.Orientation.Z = z;
        _objectMessage.Pose.Orientation.W = w;
        _objectPose.Publish(_objectMessage);
    }

    public void Dispose()
    {
        _server.ClientDisconnected -= OnClientDisconnected;
        _stop.Cancel();
        _thread.Join();
        _camera.Dispose();
    }
}
