using System.Diagnostics;
using RobotBridge.Model;
using RobotBridge.Model.Kinematics;
using RobotBridge.Robots;
using RobotBridge.Safety;
using RobotBridge.Tasks;

namespace RobotBridge.Vision.Tracking;

/// <summary>Why the newest frame gave no pose (or <see cref="None"/> when it gave one).</summary>
public enum TrackerMiss
{
    None,
    /// <summary>No camera frame yet.</summary>
    NoFrame,
    /// <summary>The newest frame is older than the staleness bound.</summary>
    StaleFrame,
    /// <summary>The newest frame shows no tag at all.</summary>
    NoTag,
    /// <summary>The newest frame shows tags, but none of the object's ids (or only unreliable decodes of them).</summary>
    UnknownTag,
    /// <summary>No joint state to place the camera with.</summary>
    NoJointState,
}

/// <summary>Where the tracker's last answer came from.</summary>
public enum TrackerAnswer
{
    /// <summary>No pose.</summary>
    None,
    /// <summary>Measured in the newest frame.</summary>
    Seen,
    /// <summary>The last measured pose, over a short miss (at most <see cref="CameraTrackerConfig.HoldFor"/> old).</summary>
    Held,
    /// <summary>The last measured pose of an object the arm stands in front of and has not come near since
    /// (at most <see cref="CameraTrackerConfig.HiddenHoldFor"/> old).</summary>
    Hidden,
    /// <summary>Carried with the gripper from where it was last measured in the grasp, while the fingers
    /// stay closed on it (<see cref="TaggedObject.GraspWidth"/>).</summary>
    Carried,
    /// <summary>Where it was last measured, pushed ahead of the closed gripper wherever the gripper came
    /// into its place since (an object cannot be inside the gripper), at most
    /// <see cref="CameraTrackerConfig.HiddenHoldFor"/> after it was measured.</summary>
    Pushed,
}

/// <summary>One of the object's tags found in a frame and the object's pose it gives.</summary>
public readonly record struct TagCandidate(TagDetection Detection, RigidTransform ObjectInBase);

/// <summary>
/// The task object's state from the head camera: each new frame is converted to grayscale, searched for
/// the object's AprilTags (one per face on the cube), each tag's pose estimated from its size and the
/// camera intrinsics, and carried into base_link through the URDF's kinematics (torso lift, head pan and
/// tilt as measured at the frame's stamp) and the tag's configured place on the object. When several of
/// the object's tags are in view, the one with the highest decision margin gives the pose
/// (<see cref="Choose"/> says why). Works on any <see cref="IRobot"/>: the twin (its
/// rendered camera shows the tagged cube) and a Fetch over rosbridge alike.
/// </summary>
/// <remarks>
/// <para>Pull-driven, no thread: <see cref="TryGetObjectState"/> reads the newest joint state and frame
/// and processes the frame if it is new, so on the lockstep twin the result depends only on the
/// simulation (deterministic) and on a real robot the work happens at the task's rate.</para>
/// <para>Never a stale pose silently: the answer is false whenever the newest frame is older than
/// <see cref="CameraTrackerConfig.StaleAfter"/>; when the newest frame shows no tag or only other ids, the
/// last pose is given only while it is at most <see cref="CameraTrackerConfig.HoldFor"/> old (a gripper
/// passing over the tag), with its own stamp, so its age is always known (<see cref="LastAnswerHeld"/>
/// says it was held, <see cref="LastMiss"/> why the newest frame missed); older, the answer is false. An
/// optional <see cref="IHeartbeatSink"/> is beaten on every fresh pose only (never on a held one), so a
/// supervisor's watchdog stops the robot when the object is lost for longer than its bound, as it does for
/// a stale camera.</para>
/// <para>What the robot's own kinematics say about an object the newest frame missed (the arm stands in
/// front of it far more often than the tag is gone; see docs/vision.md): an object the arm hides and has
/// not come near since it was seen is still where it was seen (<see cref="TrackerAnswer.Hidden"/>, its own
/// stamp, at most <see cref="CameraTrackerConfig.HiddenHoldFor"/>); with the view to it clear and no tag,
/// it is not there, and only the short hold applies. An object seen between the fingers while they are
/// closed on it moves with the gripper for as long as they stay closed (<see cref="TrackerAnswer.Carried"/>,
/// stamped with the joint state it was placed from). Neither beats the heartbeat.</para>
/// <para>Read from one thread at a time.</para>
/// </remarks>
public sealed class CameraObjectTracker : IObjectTracker, IDisposable
{
    /// <summary>The ROS optical frame of the head camera (URDF link), x right, y down, z forward.</summary>
    public const string OpticalFrame = "head_camera_rgb_optical_frame";

    /// <summary>Faster than this between two poses (m/s) is a jump, not a velocity (as RosObjectTracker).</summary>
    private const double MaxPlausibleSpeed = 2.0;

    private readonly IRobot _robot;
    private readonly TaggedObject _target;
    private readonly Dictionary<int, RigidTransform> _objectInTag;
    private readonly List<TagCandidate> _candidates = [];
    private readonly Predicate<TagDetection> _usable;
    private readonly CameraIntrinsics _intrinsics;
    private readonly TimeSpan _staleAfter;
    private readonly TimeSpan _holdFor;
    private readonly int _maxHamming;
    private readonly double _minMargin;
    private readonly double _maxPoseError;
    private readonly AprilTagDetector _detector;
    private readonly KinematicChain _camera;
    private readonly double[] _q;
    private readonly int _torsoSlot, _panSlot, _tiltSlot;
    private readonly int _torso = FetchJoints.IndexOf(FetchJoints.TorsoLift);
    private readonly int _pan = FetchJoints.IndexOf(FetchJoints.HeadPan);
    private readonly int _tilt = FetchJoints.IndexOf(FetchJoints.HeadTilt);
    private readonly RobotState _state = new();
    private readonly JointStateHistory _history = new(FetchJoints.Count);
    private readonly double[] _frameJoints = new double[FetchJoints.Count];
    private readonly ArmGeometry _arm;
    private readonly TimeSpan _hiddenHoldFor;

    /// <summary>The object's centre within this of the grip site, with the fingers closed on it, is in the
    /// grasp (m): the 5 cm cube held between the fingers puts it within about 1 cm.</summary>
    private const double GraspReach = 0.03;

    /// <summary>The arm within this of the object's bounding sphere may have touched it (m): two 0.1 s task
    /// steps at the deployable family's 0.2 m/s, as the tracker looks once a step.</summary>
    private const double TouchMargin = 0.04;

    /// <summary>Fingers whose separation changed less than this since the previous look (m; one task step,
    /// 0.1 s, at the fingers' 0.05 m/s each moves them 1 cm) have stopped on what they hold.</summary>
    private const double SettledSeparation = 0.001;
    private readonly List<TagDetection> _detections = [];
    private readonly IHeartbeatSink? _heartbeat;
    private byte[] _gray = [];
    private TimeSpan _lastFrameStamp = TimeSpan.MinValue;
    private ObjectState _latest;
    private bool _hasPose;
    private bool _latestFrameHadPose;
    private bool _touchedSinceSeen;
    private RigidTransform? _objectInGrip;
    private ObjectState _lastCarried;
    private bool _lastAnswerCarried;
    private double _lastSeparation = double.NaN;
    private ObjectState _pushed;
    private bool _pushing;

    /// <summary>Closest the object's centre can be to the grip site of the closed gripper, horizontally
    /// (m): the cube's half-edge (0.025) and the closed fingers' half-footprint (0.015 to 0.022).</summary>
    private const double PushContact = 0.04;

    /// <summary>The closed gripper pushes only with its grip site at most this far above the object's centre (m).</summary>
    private const double PushHeight = 0.03;
    private TrackerMiss _miss = TrackerMiss.NoFrame;
    private bool _disposed;

    /// <param name="robot">Delivers the head-camera frames and the joint state (the supervisor, normally).</param>
    /// <param name="model">The robot's URDF model (the camera's kinematics).</param>
    /// <param name="objectName">Which entry of <paramref name="config"/> to track ("cube", "puck").</param>
    /// <param name="heartbeat">Beaten on every fresh pose (a supervisor's watchdog), or null.</param>
    public CameraObjectTracker(IRobot robot, RobotModel model, CameraTrackerConfig config, string objectName, IHeartbeatSink? heartbeat = null)
    {
        ArgumentNullException.ThrowIfNull(robot);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        _robot = robot;
        _target = config.For(objectName);
        _objectInTag = _target.AllTags.ToDictionary(t => t.Id, t => t.TagInObject.Inverse());
        _intrinsics = config.Intrinsics;
        _staleAfter = TimeSpan.FromSeconds(config.StaleAfter);
        _holdFor = TimeSpan.FromSeconds(config.HoldFor);
        _hiddenHoldFor = _target.Radius is null ? TimeSpan.Zero : TimeSpan.FromSeconds(config.HiddenHoldFor);
        _arm = new ArmGeometry(model, OpticalFrame);
        _maxHamming = config.MaxHamming;
        _minMargin = config.MinDecisionMargin;
        _maxPoseError = config.MaxPoseError;
        _usable = Usable; // made once: a method group on an instance builds a new delegate at each use, here each frame
        _heartbeat = heartbeat;
        _camera = new KinematicChain(model, OpticalFrame);
        _q = model.CreateHomeVector();
        _torsoSlot = Slot(model, FetchJoints.TorsoLift);
        _panSlot = Slot(model, FetchJoints.HeadPan);
        _tiltSlot = Slot(model, FetchJoints.HeadTilt);
        _detector = new AprilTagDetector(new AprilTagDetectorOptions
        {
            Family = config.TagFamily, Decimate = config.Decimate, MaxHamming = config.MaxHamming, Threads = 1,
        });
    }

    public TaggedObject Target => _target;

    /// <summary>Why the newest frame gave no pose (<see cref="TrackerMiss.None"/> when it gave one): the
    /// reason of a false answer, or of a held one.</summary>
    public TrackerMiss LastMiss => _miss;

    /// <summary>The last answer was true with the pose of an earlier frame, held over frames that missed
    /// the tag (at most <see cref="CameraTrackerConfig.HoldFor"/> old).</summary>
    public bool LastAnswerHeld => LastAnswer is TrackerAnswer.Held or TrackerAnswer.Hidden;

    /// <summary>Where the last answer came from (<see cref="TrackerAnswer.None"/>: no pose).</summary>
    public TrackerAnswer LastAnswer { get; private set; }

    /// <summary>Frames processed, frames in which the object's tag was found.</summary>
    public long FramesProcessed { get; private set; }
    public long FramesWithPose { get; private set; }

    /// <summary>Wall time the last processed frame took, grayscale to pose.</summary>
    public TimeSpan LastProcessingTime { get; private set; }

    /// <summary>The detections of the last processed frame (all ids), for diagnostics.</summary>
    public IReadOnlyList<TagDetection> LastDetections => _detections;

    /// <summary>The object's tags usable in the last processed frame with the pose each gives (the chosen
    /// one first), for diagnostics and to compare choices.</summary>
    public IReadOnlyList<TagCandidate> LastCandidates => _candidates;

    public bool TryGetObjectState(out ObjectState state)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _robot.ReadState(_state);
        if (_state.IsValid)
        {
            _history.Add(_state.Stamp, _state.Position);
        }
        using (CameraFrame? frame = _robot.TryGetCameraFrame())
        {
            // Each frame is handed out once, so one stamped like the last is a new picture of the same
            // instant (the twin re-renders an object placed at an episode's start): it must be looked at.
            if (frame is not null && frame.Stamp >= _lastFrameStamp)
            {
                _lastFrameStamp = frame.Stamp;
                Process(frame);
            }
        }
        if (_state.IsValid)
        {
            _arm.Load(_state.Position);
            if (_hasPose && _target.Radius is double radius && _arm.Clearance(_latest.Position, radius) < TouchMargin)
            {
                _touchedSinceSeen = true; // it may have moved: only seeing it again says where it is
            }
            TryGraspWhereLastSeen();
            _lastSeparation = _arm.FingerSeparation;
        }
        bool carriedBefore = _lastAnswerCarried;
        _lastAnswerCarried = false;
        TimeSpan now = _robot.Clock.Now;
        LastAnswer = TrackerAnswer.None;
        if (_lastFrameStamp == TimeSpan.MinValue)
        {
            return Miss(TrackerMiss.NoFrame, out state);
        }
        if (now - _lastFrameStamp > _staleAfter)
        {
            return Miss(TrackerMiss.StaleFrame, out state);
        }
        if (!_latestFrameHadPose)
        {
            TrackerMiss why = _miss == TrackerMiss.None ? TrackerMiss.NoTag : _miss;
            _miss = why;
            if (TryCarry(carriedBefore, out state))
            {
                return true;
            }
            if (_touchedSinceSeen && TryPush(now, out state))
            {
                return true;
            }
            if (_hasPose && !_touchedSinceSeen && _state.IsValid && _target.Radius is double radius && _hiddenHoldFor > TimeSpan.Zero
                && now - _latest.Stamp <= _hiddenHoldFor && _arm.StandsBetweenCameraAnd(_latest.Position, radius))
            {
                // Not gone but behind the arm, which has not come near it: where it was seen, still.
                LastAnswer = TrackerAnswer.Hidden;
                state = _latest with { LinearVelocity = Vec3.Zero, AngularVelocity = Vec3.Zero };
                return true;
            }
            if (_hasPose && now - _latest.Stamp <= _holdFor)
            {
                // A short miss (the gripper over the tag): the last pose, stamped when it was measured.
                LastAnswer = TrackerAnswer.Held;
                state = _latest;
                return true;
            }
            return Miss(why, out state);
        }
        _miss = TrackerMiss.None;
        LastAnswer = TrackerAnswer.Seen;
        state = _latest;
        return true;
    }

    /// <summary>The object moved with the gripper from its place in the grasp, while the fingers stay closed
    /// on it. When they open or close past it, the grasp is over and the last carried pose becomes the last
    /// pose (held only briefly, as a measured one would be).</summary>
    private bool TryCarry(bool carriedBefore, out ObjectState state)
    {
        state = default;
        if (_objectInGrip is not { } inGrip)
        {
            return false;
        }
        if (!_state.IsValid || !InGraspWidth(_arm.FingerSeparation))
        {
            _objectInGrip = null;
            if (carriedBefore)
            {
                _latest = _lastCarried;
                _touchedSinceSeen = true;
            }
            return false;
        }
        RigidTransform pose = _arm.Grip * inGrip;
        Vec3 linear = Vec3.Zero, angular = Vec3.Zero;
        double dt = (_state.Stamp - _lastCarried.Stamp).TotalSeconds;
        if (carriedBefore && dt > 0)
        {
            (linear, angular) = ObjectVelocity.Between(_lastCarried.Position, _lastCarried.Orientation, pose.Translation, pose.Rotation, dt);
        }
        _lastCarried = new ObjectState(pose.Translation, pose.Rotation, linear, angular, _state.Stamp);
        _lastAnswerCarried = true;
        LastAnswer = TrackerAnswer.Carried;
        state = _lastCarried;
        return true;
    }

    /// <summary>
    /// The closed gripper came near the object since it was measured: the object is where it was, except
    /// that it cannot be inside the gripper, so wherever the gripper (at the object's height) comes within
    /// <see cref="PushContact"/> of the estimate, the estimate is pushed ahead of it, horizontally. The
    /// quasi-static push of a cube on a table; it drifts when the cube slides sideways or turns, which the
    /// next sighting corrects. Open fingers straddle what they approach: no estimate then (the short hold).
    /// </summary>
    private bool TryPush(TimeSpan now, out ObjectState state)
    {
        state = default;
        if (!_hasPose || !_state.IsValid || _target.GraspWidth is not { } grasp || _arm.FingerSeparation >= grasp[0]
            || _hiddenHoldFor <= TimeSpan.Zero || now - _latest.Stamp > _hiddenHoldFor)
        {
            _pushing = false;
            return false;
        }
        if (!_pushing)
        {
            _pushed = _latest with { LinearVelocity = Vec3.Zero, AngularVelocity = Vec3.Zero };
            _pushing = true;
        }
        Vec3 grip = _arm.Grip.Translation, p = _pushed.Position;
        double dx = p.X - grip.X, dy = p.Y - grip.Y, r = Math.Sqrt(dx * dx + dy * dy);
        Vec3 next = p;
        bool low = grip.Z <= p.Z + PushHeight;
        if (low && r < PushContact / 2)
        {
            // The closed gripper stands where the estimate is: it was not pushed there, so it is not there.
            _pushing = false;
            return false;
        }
        if (low && r < PushContact)
        {
            next = new Vec3(grip.X + dx / r * PushContact, grip.Y + dy / r * PushContact, p.Z);
        }
        if (!_arm.StandsBetweenCameraAnd(next, _target.Radius ?? 0))
        {
            // In plain view and no tag: it is not where the estimate says.
            _pushing = false;
            return false;
        }
        double dt = (_state.Stamp - _pushed.Stamp).TotalSeconds;
        Vec3 velocity = dt > 0 ? (next - p) * (1 / dt) : Vec3.Zero;
        _pushed = new ObjectState(next, _pushed.Orientation, velocity, Vec3.Zero, next == p ? _pushed.Stamp : _state.Stamp);
        LastAnswer = TrackerAnswer.Pushed;
        state = _pushed;
        return true;
    }

    /// <summary>
    /// The fingers have just stopped at the object's width with the grip site where the object was last
    /// measured: something of its width is between them, and only the object is. The carry starts from that
    /// pose, centred between the fingers (which centre what they close on); a sighting in the grasp later
    /// replaces the offset with a measured one. Stopped means the separation moved less than
    /// <see cref="SettledSeparation"/> since the previous look: fingers closing on nothing or opening pass
    /// through the object's width without stopping there.
    /// </summary>
    private void TryGraspWhereLastSeen()
    {
        if (_objectInGrip is not null || !_hasPose || !InGraspWidth(_arm.FingerSeparation)
            || !(Math.Abs(_arm.FingerSeparation - _lastSeparation) <= SettledSeparation) // NaN before the first look
            || _state.Stamp - _latest.Stamp > TimeSpan.FromSeconds(Math.Max(_hiddenHoldFor.TotalSeconds, _holdFor.TotalSeconds))
            || (_latest.Position - _arm.Grip.Translation).Length > GraspReach)
        {
            return;
        }
        RigidTransform inGrip = _arm.Grip.Inverse() * new RigidTransform(_latest.Orientation, _latest.Position);
        Vec3 t = inGrip.Translation;
        _objectInGrip = inGrip with { Translation = new Vec3(t.X, 0, t.Z) }; // the fingers close along the grip frame's y
    }

    private bool InGraspWidth(double separation) =>
        _target.GraspWidth is { } w && separation >= w[0] && separation <= w[1];

    private bool Miss(TrackerMiss why, out ObjectState state)
    {
        _miss = why;
        state = default;
        return false;
    }

    private void Process(CameraFrame frame)
    {
        long started = Stopwatch.GetTimestamp();
        FramesProcessed++;
        _latestFrameHadPose = false;
        if (_robot.Clock.Now - frame.Stamp > _staleAfter)
        {
            _miss = TrackerMiss.StaleFrame; // not worth detecting: its answer would be stale on arrival
            return;
        }
        int pixels = frame.Width * frame.Height;
        if (_gray.Length < pixels)
        {
            _gray = new byte[pixels];
        }
        Grayscale.FromRgb(frame.Rgb, _gray);
        _detector.Detect(_gray.AsSpan(0, pixels), frame.Width, frame.Height, frame.Width, _detections, _intrinsics, _target.Size);
        _candidates.Clear();
        if (!_detections.Exists(_usable))
        {
            _miss = _detections.Count == 0 ? TrackerMiss.NoTag : TrackerMiss.UnknownTag;
            LastProcessingTime = Stopwatch.GetElapsedTime(started);
            return;
        }
        if (!_history.TryAt(frame.Stamp, _frameJoints, out _))
        {
            _miss = TrackerMiss.NoJointState;
            LastProcessingTime = Stopwatch.GetElapsedTime(started);
            return;
        }
        _q[_torsoSlot] = _frameJoints[_torso];
        _q[_panSlot] = _frameJoints[_pan];
        _q[_tiltSlot] = _frameJoints[_tilt];
        RigidTransform cameraInBase = _camera.Pose(_q);
        foreach (TagDetection d in _detections)
        {
            if (Usable(d))
            {
                _candidates.Add(new TagCandidate(d, cameraInBase * d.Pose!.Value * _objectInTag[d.Id]));
            }
        }
        _candidates.Sort(Choose);
        RigidTransform objectInBase = _candidates[0].ObjectInBase;
        Vec3 linear = Vec3.Zero, angular = Vec3.Zero;
        double dt = (frame.Stamp - _latest.Stamp).TotalSeconds;
        if (_hasPose && dt > 0 && dt <= _staleAfter.TotalSeconds)
        {
            (linear, angular) = ObjectVelocity.Between(_latest.Position, _latest.Orientation, objectInBase.Translation, objectInBase.Rotation, dt);
            if (linear.Length > MaxPlausibleSpeed)
            {
                // Not a motion but a new placement (an episode's start, the object put down elsewhere).
                (linear, angular) = (Vec3.Zero, Vec3.Zero);
            }
        }
        _latest = new ObjectState(objectInBase.Translation, objectInBase.Rotation, linear, angular, frame.Stamp);
        _hasPose = true;
        _touchedSinceSeen = false;
        _pushing = false;
        // Seen between the fingers while they are closed on it (with the arm where it was at the frame): from
        // now on it moves with the gripper until they let go or it is seen again.
        _arm.Load(_frameJoints);
        _objectInGrip = InGraspWidth(_arm.FingerSeparation) && (objectInBase.Translation - _arm.Grip.Translation).Length <= GraspReach
            ? _arm.Grip.Inverse() * objectInBase
            : null;
        _latestFrameHadPose = true;
        _miss = TrackerMiss.None;
        FramesWithPose++;
        LastProcessingTime = Stopwatch.GetElapsedTime(started);
        _heartbeat?.Beat();
    }

    /// <summary>One of the object's ids, decoded reliably, with a pose that fits its corners.</summary>
    private bool Usable(TagDetection d) =>
        _objectInTag.ContainsKey(d.Id) && d.Hamming <= _maxHamming && d.DecisionMargin >= _minMargin && d.Pose is not null &&
        d.PoseError <= _maxPoseError;

    /// <summary>Orders the candidates best first: the highest decision margin, i.e. the tag whose edges
    /// the detector fit most clearly, normally the one seen most squarely and largest. Measured on the
    /// twin (scripted elbow-out PickAndPlace, 10 episodes, still cube): the top tag, when seen, scores
    /// the highest margins (p50 237) and errs least (p50 0.7 mm, p95 2.4 mm), the side tags p50 0.8 to 2.0
    /// mm, p95 3.2 to 5.7 mm; in the few frames with two tags the margin's pick erred 1.05 mm, the
    /// smaller pose error's 1.13 mm, the mean of both 1.09 mm. A mean would also average in any wrong
    /// pose the pose-error bound lets through; the margin's pick keeps the best view whole.</summary>
    private static int Choose(TagCandidate a, TagCandidate b) =>
        b.Detection.DecisionMargin.CompareTo(a.Detection.DecisionMargin) is int byMargin and not 0 ? byMargin : a.Detection.Id.CompareTo(b.Detection.Id);

    /// <summary>What the tracker sees now, for messages: its target and why the newest frame gave no pose.</summary>
    public override string ToString() =>
        $"camera tracker for the {_target.Object}'s tags {_target.IdList}: {(_miss == TrackerMiss.None ? "pose" : _miss)} in the newest frame";

    private static int Slot(RobotModel model, string joint)
    {
        int slot = model.VariableIndexOf(joint);
        return slot >= 0 ? slot : throw new ArgumentException($"model {model.Name} lacks joint {joint}, which moves the head camera");
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _detector.Dispose();
    }
}
