using RobotBridge.Control;
using RobotBridge.Model;
using RobotBridge.Robots;
using RobotBridge.Ros.Client;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Protocol;
using RobotBridge.Ros.Serialization;

namespace RobotBridge.Ros.Fetch;

/// <summary>
/// A Fetch reached over rosbridge, as an <see cref="IRobot"/>. It merges the body and gripper
/// /joint_states messages into one state, commands through the Fetch's controllers (trajectory and
/// gripper actions, cartesian and base twists), ingests the head camera (raw rgb8/bgr8/mono8 with
/// optional 16UC1/32FC1 depth, or JPEG/PNG CompressedImage), drives /enable_software_runstop,
/// and reports observation age and link loss. Message stamps are mapped onto this bridge's clock
/// (<see cref="StampAlignment"/>), so state and frame stamps are <see cref="Clock"/> times; what it sends
/// is stamped with ROS time (<see cref="RosStampClock"/>: the robot's clock learned from its joint states),
/// so a SimpleActionServer takes this process's goals after an earlier process's. A goal the robot does
/// not carry out is reported at once in <see cref="LastCommandFailure"/> with its status and text. Nothing
/// here blocks on the network or throws for link problems: while the link is down commands are dropped
/// (counted) and <see cref="Link"/> says so; on every (re)connect an engaged runstop is asserted again.
/// </summary>
public sealed class RosFetch : IRobot
{
    private readonly RosFetchOptions _options;
    private readonly RosbridgeClient _client;
    private readonly bool _ownsClient;
    private readonly WallClock _clock = new();
    private readonly StampAlignment _stamps = new();
    private readonly RosStampClock _rosTime = new();
    private readonly object _stateGate = new();
    private readonly RobotState _state = new();
    private readonly bool[] _seen = new bool[FetchJoints.Count];
    private readonly JointStatePlausibility _plausibility = new(FetchModel.Load());
    private string? _implausible;
    private TimeSpan _implausibleAt;
    private readonly object _frameGate = new();
    private CameraFrame? _latestFrame;
    private readonly float[]? _latestDepth;
    private int _depthWidth, _depthHeight;
    private readonly RosPublisher<TwistStamped> _armTwist;
    private readonly RosPublisher<TwistMsg> _baseTwist;
    private readonly RosPublisher<BoolMsg> _runstop;
    private readonly Dictionary<JointGroup, ActionlibClient<FollowJointTrajectoryGoal, FollowJointTrajectoryResult, FollowJointTrajectoryFeedback>> _trajectoryClients = [];
    private readonly ActionlibClient<GripperCommandGoal, GripperCommandResult, GripperCommandFeedback>? _gripperClient;
    private readonly Dictionary<JointGroup, ActionGoalHandle<FollowJointTrajectoryResult>> _ros2Goals = [];
    private ActionGoalHandle<GripperCommandResult>? _ros2Gripper;
    private readonly List<IDisposable> _subscriptions = [];
    private readonly TwistStamped _twistMessage = new();
    private readonly TwistMsg _baseMessage = new();
    private TimeSpan _lastJointStates = TimeSpan.MinValue;
    private bool _runstopReported;
    private volatile bool _runstopEngaged;
    private CommandFailure? _lastFailure;
    private long _commandFailures;
    private long _linkLosses;
    private long _droppedCommands;
    private bool _disposed;

    public RosFetch(RosFetchOptions options) : this(options, null)
    {
    }

    /// <param name="client">An existing client to share; when null, RosFetch creates and owns one.</param>
    public RosFetch(RosFetchOptions options, RosbridgeClient? client)
    {
        _options = options;
        _ownsClient = client is null;
        _client = client ?? new RosbridgeClient(new RosbridgeClientOptions(options.Uri)
        {
            Dialect = options.Dialect,
            ReconnectDelayMax = options.ReconnectDelayMax,
        });
        _client.StateChanged += OnStateChanged;

        _subscriptions.Add(_client.Subscribe<JointState>(FetchTopics.JointStates,
            new SubscribeOptions { Compression = options.JointStatesCompression, FallbackToJsonAfter = TimeSpan.FromSeconds(2) },
            OnJointState));
        _subscriptions.Add(_client.Subscribe<BoolMsg>(FetchTopics.SoftwareRunstopEnabled, onMessage: m =>
        {
            lock (_stateGate)
            {
                _runstopReported = m.Data;
            }
        }));
        if (options.CameraTopic is { } camera)
        {
            var cameraOptions = new SubscribeOptions { Compression = options.CameraCompression, FallbackToJsonAfter = TimeSpan.FromSeconds(3) };
            _subscriptions.Add(camera.EndsWith("/compressed", StringComparison.Ordinal)
                ? _client.Subscribe<CompressedImage>(camera, cameraOptions, OnCompressed)
                : _client.Subscribe<Image>(camera, cameraOptions, OnImage));
        }
        if (options.DepthTopic is { } depth)
        {
            _latestDepth = new float[640 * 480];
            _subscriptions.Add(_client.Subscribe<Image>(depth,
                new SubscribeOptions { Compression = options.CameraCompression, FallbackToJsonAfter = TimeSpan.FromSeconds(3) }, OnDepth));
        }
        _armTwist = _client.Advertise<TwistStamped>(FetchTopics.CartesianTwist);
        _baseTwist = _client.Advertise<TwistMsg>(FetchTopics.CmdVel);
        // Latched, so a runstop node that (re)subscribes after our message still hears it: a ROS 1
        // subscriber connects to a new publisher some time after the advertise.
        _runstop = _client.Advertise<BoolMsg>(FetchTopics.EnableSoftwareRunstop, latch: true);
        if (options.Dialect == RosDialect.Ros1)
        {
            foreach (var group in FetchTopics.Groups)
            {
                _trajectoryClients[group] = new(_client, FetchTopics.TrajectoryAction(group), _rosTime);
            }
            _gripperClient = new(_client, FetchTopics.GripperAction, _rosTime);
        }
        _client.Start();
    }

    public RosbridgeClient Client => _client;

    /// <summary>How this robot's message stamps map onto <see cref="Clock"/> (learned from its joint
    /// states), for other readers of the same robot such as an object tracker.</summary>
    public StampAlignment Stamps => _stamps;

    public IRobotClock Clock => _clock;

    /// <summary>The ROS time this robot's goals and headers are stamped with.</summary>
    public RosStampClock StampClock => _rosTime;

    /// <summary>Connected while the socket is up and joint states are fresh; Lost otherwise (after the first connect).</summary>
    /// <summary>How long a rejected joint state keeps <see cref="StateFault"/> set after the last one.</summary>
    public static readonly TimeSpan StateFaultHold = TimeSpan.FromSeconds(1);

    public string? StateFault
    {
        get
        {
            lock (_stateGate)
            {
                return _implausible is not null && _clock.Now - _implausibleAt <= StateFaultHold ? _implausible : null;
            }
        }
    }

    /// <summary>Joint-state samples refused as implausible (see <see cref="JointStatePlausibility"/>).</summary>
    public long ImplausibleStates
    {
        get
        {
            lock (_stateGate)
            {
                return _plausibility.Rejected;
            }
        }
    }

    public LinkStatus Link
    {
        get
        {
            var state = _client.State;
            if (state != ConnectionState.Connected)
            {
                return _client.ConnectCount == 0 ? LinkStatus.Connecting : LinkStatus.Lost;
            }
            var age = ObservationAge;
            return age is null ? LinkStatus.Connecting : age > _options.StaleAfter ? LinkStatus.Lost : LinkStatus.Connected;
        }
    }

    /// <summary>Time since the last /joint_states message, or null before the first.</summary>
    public TimeSpan? ObservationAge
    {
        get
        {
            lock (_stateGate)
            {
                return _lastJointStates == TimeSpan.MinValue ? null : _clock.Now - _lastJointStates;
            }
        }
    }

    /// <summary>Times the connection was lost since construction.</summary>
    public long LinkLosses => Interlocked.Read(ref _linkLosses);

    /// <summary>Commands dropped because the link was down.</summary>
    public long DroppedCommands => Interlocked.Read(ref _droppedCommands);

    /// <summary>Raised (on the client's supervisor thread) when the link goes down or comes back.</summary>
    public event Action<LinkStatus, string?>? LinkChanged;

    public Task<bool> WaitForStateAsync(TimeSpan timeout) => WaitUntilAsync(() => IsStateComplete(), timeout);

    private async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = _clock.Now + timeout;
        while (!condition())
        {
            if (_clock.Now > deadline)
            {
                return false;
            }
            await Task.Delay(5).ConfigureAwait(false);
        }
        return true;
    }

    private bool IsStateComplete()
    {
        lock (_stateGate)
        {
            return _state.IsValid;
        }
    }

    private void OnStateChanged(object? sender, ConnectionStateChangedEventArgs e)
    {
        if (e.Current == ConnectionState.Lost && e.Previous == ConnectionState.Connected)
        {
            Interlocked.Increment(ref _linkLosses);
            foreach (var c in _trajectoryClients.Values)
            {
                c.FailPending("link lost");
            }
            _gripperClient?.FailPending("link lost");
            LinkChanged?.Invoke(LinkStatus.Lost, e.Reason);
        }
        else if (e.Current == ConnectionState.Connected)
        {
            // The robot behind the new connection may have restarted with another clock.
            _rosTime.Relearn();
            lock (_stateGate)
            {
                _plausibility.Forget();
            }
            if (_runstopEngaged)
            {
                // Assert it again on every connect: a restarted rosbridge (or robot) may have lost it, and
                // whoever engaged it still wants the robot held.
                Count(_runstop.Publish(new BoolMsg { Data = true }));
            }
            LinkChanged?.Invoke(LinkStatus.Connected, null);
        }
    }

    // ---------------------------------------------------------------- observations (receive thread)

    /// <summary>Merges a partial JointState (the body driver and the gripper driver publish separately).</summary>
    private void OnJointState(JointState message)
    {
        var now = _clock.Now;
        _rosTime.Observe(message.Header.Stamp);
        lock (_stateGate)
        {
            for (int i = 0; i < message.Name.Count; i++)
            {
                int k = FetchJoints.IndexOf(message.Name[i]);
                if (k < 0)
                {
                    continue;
                }
                if (i < message.Position.Count
                    && _plausibility.Check(k, message.Position[i], message.Header.Stamp.ToTimeSpan()) is { } cause)
                {
                    // Never guard the robot by a sample it cannot have produced: keep the last
                    // plausible one, and say why through StateFault.
                    _implausible = cause;
                    _implausibleAt = now;
                    continue;
                }
                if (i < message.Position.Count) _state.Position[k] = message.Position[i];
                if (i < message.Velocity.Count) _state.Velocity[k] = message.Velocity[i];
                if (i < message.Effort.Count) _state.Effort[k] = message.Effort[i];
                _seen[k] = true;
            }
            _state.Stamp = _stamps.ToLocal(message.Header.Stamp.ToTimeSpan(), now);
            _state.ReceivedAt = now;
            _lastJointStates = now;
            if (!_state.IsValid)
            {
                _state.IsValid = Array.TrueForAll(_seen, s => s);
            }
        }
    }

    private void OnImage(Image image)
    {
        var frame = CameraDecoding.FromImage(image, _stamps.ToLocal(image.Header.Stamp.ToTimeSpan(), _clock.Now));
        Publish(frame);
    }

    private void OnCompressed(CompressedImage image)
    {
        var frame = CameraDecoding.FromCompressed(image, _stamps.ToLocal(image.Header.Stamp.ToTimeSpan(), _clock.Now));
        Publish(frame);
    }

    private void OnDepth(Image image)
    {
        lock (_frameGate)
        {
            int n = checked((int)(image.Width * image.Height));
            if (_latestDepth is null || n > _latestDepth.Length)
            {
                return;
            }
            CameraDecoding.DepthInto(image, _latestDepth.AsSpan(0, n));
            _depthWidth = (int)image.Width;
            _depthHeight = (int)image.Height;
        }
    }

    private void Publish(CameraFrame frame)
    {
        lock (_frameGate)
        {
            _latestFrame?.Dispose();
            _latestFrame = frame;
        }
    }

    // ---------------------------------------------------------------- IRobot

    public void ReadState(RobotState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (_stateGate)
        {
            _state.Runstopped = _runstopReported;
            _state.CopyTo(state);
        }
    }

    /// <summary>The latest frame (then null until a newer one arrives); the caller disposes it.
    /// With a depth topic, the latest depth image of the same size is attached.</summary>
    public CameraFrame? TryGetCameraFrame()
    {
        lock (_frameGate)
        {
            var frame = _latestFrame;
            _latestFrame = null;
            if (frame is null || _latestDepth is null || _depthWidth != frame.Width || _depthHeight != frame.Height)
            {
                return frame;
            }
            var withDepth = new CameraFrame(frame.Width, frame.Height, frame.Stamp, withDepth: true);
            frame.Rgb.CopyTo(withDepth.Rgb);
            _latestDepth.AsSpan(0, frame.Width * frame.Height).CopyTo(withDepth.Depth);
            frame.Dispose();
            return withDepth;
        }
    }

    /// <summary>A robot clock that runs slower than ours (a served twin on a loaded machine) moves the
    /// alignment's estimate of it ahead of the robot; past this lead over the newest stamp plus the time
    /// since it came, goal stamps follow that newest stamp instead. Above the delay jitter of a link to a
    /// robot whose clock keeps ours (tens of milliseconds), so it does not shake a stream's stamps.</summary>
    public static readonly TimeSpan GoalStampLead = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// The trajectory.header.stamp for a goal that starts at <paramref name="start"/> on <see cref="Clock"/>:
    /// that time on the robot's clock, by the stamp alignment (steady from goal to goal, so a stream of
    /// stamped goals keeps its spacing), never past the robot's newest stamp plus the time since it came by
    /// more than <see cref="GoalStampLead"/>. A stamp in the robot's future would delay the goal and have
    /// robot_controllers keep the running goal's knots until then. Zero (start when received) before the
    /// robot has spoken.
    /// </summary>
    private RosTime GoalStamp(TimeSpan start)
    {
        if (_stamps.ToRobot(start) is not { } robot || !_rosTime.UsesRobotClock)
        {
            return default;
        }
        TimeSpan newest = _rosTime.Now().ToTimeSpan() - (_clock.Now - start);
        return RosTime.FromTimeSpan(robot - newest > GoalStampLead ? newest : robot);
    }

    public void SendTrajectory(JointTrajectory trajectory)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        trajectory.Validate();
        var joints = FetchJoints.Of(trajectory.Group);
        var timeout = trajectory.Points[^1].TimeFromStart + trajectory.GoalTimeTolerance + _options.GoalSlack;
        RosTime stamp = trajectory.StartTime is { } start ? GoalStamp(start) : default;
        void Fill(FollowJointTrajectoryGoal goal)
        {
            // Unstamped, trajectory.header.stamp stays zero, "start when received" to robot_controllers: a
            // stamp on our estimate of the robot's clock would only start the motion that estimate's error late.
            goal.Trajectory.Header.Stamp = stamp;
            goal.Trajectory.JointNames.AddRange(joints);
            foreach (var p in trajectory.Points)
            {
                var point = new JointTrajectoryPoint { TimeFromStart = Serialization.RosTime.FromTimeSpan(p.TimeFromStart) };
                point.Positions.CopyFrom(p.Positions);
                if (p.Velocities is not null)
                {
                    point.Velocities.CopyFrom(p.Velocities);
                }
                goal.Trajectory.Points.Add(point);
            }
            foreach (var j in joints)
            {
                goal.GoalTolerance.Add(new JointTolerance { Name = j, Position = trajectory.GoalTolerance });
            }
            goal.GoalTimeTolerance = Serialization.RosTime.FromTimeSpan(trajectory.GoalTimeTolerance);
        }
        if (_trajectoryClients.TryGetValue(trajectory.Group, out var actionlib))
        {
            var (_, outcome) = actionlib.SendGoal(Fill, timeout);
            Observe(outcome, actionlib.ServerName, trajectory.Group);
            return;
        }
        var goal = new FollowJointTrajectoryGoal();
        Fill(goal);
        var handle = _client.SendActionGoal<FollowJointTrajectoryGoal, FollowJointTrajectoryResult, FollowJointTrajectoryFeedback>(
            FetchTopics.TrajectoryAction(trajectory.Group), goal, timeout);
        lock (_ros2Goals)
        {
            _ros2Goals[trajectory.Group] = handle;
        }
        Observe(handle, trajectory.Group);
    }

    /// <summary>The latest goal the robot did not carry out (see <see cref="CommandFailure"/>), or null.</summary>
    public CommandFailure? LastCommandFailure
    {
        get
        {
            lock (_stateGate)
            {
                return _lastFailure;
            }
        }
    }

    /// <summary>Goals the robot did not carry out since construction.</summary>
    public long CommandFailures => Interlocked.Read(ref _commandFailures);

    private void Failed(string controller, JointGroup? group, string status, string text)
    {
        lock (_stateGate)
        {
            _lastFailure = new CommandFailure(Interlocked.Increment(ref _commandFailures), controller, group, status, text);
        }
    }

    /// <summary>Watches a goal to its end: a goal faulted (not sent, no answer in time) counts as a dropped
    /// command, one that ended without success and was not replaced or cancelled by us is a failure.</summary>
    private void Observe<TResult>(Task<ActionlibOutcome<TResult>> outcome, string controller, JointGroup? group) => outcome.ContinueWith(t =>
    {
        if (t.IsFaulted)
        {
            _ = t.Exception;
            Interlocked.Increment(ref _droppedCommands);
        }
        else if (t.Result is { Succeeded: false, Superseded: false } ended)
        {
            Failed(controller, group, ended.StatusName, ended.Text);
        }
    }, TaskScheduler.Default);

    private void Observe<TResult>(ActionGoalHandle<TResult> handle, JointGroup? group) where TResult : IRosMessage, new() => handle.Outcome.ContinueWith(t =>
    {
        if (t.IsFaulted)
        {
            _ = t.Exception;
            Interlocked.Increment(ref _droppedCommands);
            return;
        }
        bool latest;
        lock (_ros2Goals)
        {
            latest = group is { } g ? _ros2Goals.TryGetValue(g, out var current) && ReferenceEquals(current, handle) : ReferenceEquals(_ros2Gripper, handle);
        }
        if (!t.Result.Succeeded && latest)
        {
            Failed(handle.Action, group, Ros2StatusName(t.Result.Status), t.Result.Error ?? "");
        }
    }, TaskScheduler.Default);

    private static string Ros2StatusName(int status) => status switch
    {
        Ros2GoalStatus.Succeeded => "SUCCEEDED (4)",
        Ros2GoalStatus.Canceled => "CANCELED (5)",
        Ros2GoalStatus.Aborted => "ABORTED (6)",
        _ => $"status {status}",
    };

    public void SendCartesianTwist(in Twist twist)
    {
        if (!twist.IsFinite)
        {
            throw new ArgumentException($"cartesian twist {twist} is not finite");
        }
        lock (_twistMessage)
        {
            _twistMessage.Header.FrameId = FetchTopics.TwistFrame;
            _twistMessage.Header.Stamp = _rosTime.Now();
            _twistMessage.Twist.Set(twist);
            Count(_armTwist.Publish(_twistMessage));
        }
    }

    public void SendGripper(double separation, double maxEffort)
    {
        if (!double.IsFinite(separation) || !double.IsFinite(maxEffort))
        {
            throw new ArgumentException($"gripper command separation {separation}, effort {maxEffort} is not finite");
        }
        var timeout = TimeSpan.FromSeconds(10) + _options.GoalSlack;
        if (_gripperClient is not null)
        {
            var (_, outcome) = _gripperClient.SendGoal(g => { g.Position = separation; g.MaxEffort = maxEffort; }, timeout);
            Observe(outcome, _gripperClient.ServerName, null);
            return;
        }
        var handle = _client.SendActionGoal<GripperCommandGoal, GripperCommandResult, GripperCommandFeedback>(
            FetchTopics.GripperAction, new GripperCommandGoal { Position = separation, MaxEffort = maxEffort }, timeout);
        lock (_ros2Goals)
        {
            _ros2Gripper = handle;
        }
        Observe(handle, null);
    }

    public void SendBaseTwist(in Twist twist)
    {
        if (!twist.IsFinite)
        {
            throw new ArgumentException($"base twist {twist} is not finite");
        }
        lock (_baseMessage)
        {
            _baseMessage.Set(twist);
            Count(_baseTwist.Publish(_baseMessage));
        }
    }

    /// <summary>Cancels every trajectory and gripper goal (the Fetch's controllers then hold position)
    /// and sends zero twists. Works only while the link is up; on a lost link the server side stops
    /// the robot itself (our server does; a real Fetch relies on its controllers' command timeouts).</summary>
    public void Stop(string reason)
    {
        foreach (var c in _trajectoryClients.Values)
        {
            Count(c.Cancel());
        }
        _gripperClient?.Cancel();
        lock (_ros2Goals)
        {
            foreach (var handle in _ros2Goals.Values)
            {
                handle.Cancel();
            }
            _ros2Goals.Clear();
        }
        lock (_ros2Goals)
        {
            _ros2Gripper?.Cancel();
            _ros2Gripper = null;
        }
        SendCartesianTwist(Twist.Zero);
        SendBaseTwist(Twist.Zero);
    }

    /// <summary>Publishes the runstop; an engaged one is published again on every reconnect until released.</summary>
    public void SetRunstop(bool engaged)
    {
        _runstopEngaged = engaged;
        Count(_runstop.Publish(new BoolMsg { Data = engaged }));
    }

    private void Count(bool sent)
    {
        if (!sent)
        {
            Interlocked.Increment(ref _droppedCommands);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _client.StateChanged -= OnStateChanged;
        foreach (var c in _trajectoryClients.Values)
        {
            c.Dispose();
        }
        _gripperClient?.Dispose();
        foreach (var s in _subscriptions)
        {
            s.Dispose();
        }
        if (_ownsClient)
        {
            _client.Dispose();
        }
        lock (_frameGate)
        {
            _latestFrame?.Dispose();
            _latestFrame = null;
        }
    }
}
