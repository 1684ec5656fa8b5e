using System.Diagnostics;
using RobotBridge.Model;
using RobotBridge.Robots;
using RobotBridge.Ros.Client;
using RobotBridge.Ros.Fetch;
using RobotBridge.Ros.Messages;
using RobotBridge.Tasks;

namespace RobotBridge.Ros.Tracking;

/// <summary>
/// The task object's state on a robot reached over rosbridge: subscribes to a geometry_msgs/PoseStamped
/// topic (a fiducial detector, a perception node, or <c>robotbridge serve</c>'s ground truth) giving the
/// object's pose in base_link, differences successive poses for its velocities, and maps the header
/// stamps onto the bridge's clock with the robot connection's <see cref="StampAlignment"/>.
/// <see cref="TryGetObjectState"/> is false before the first pose and once the latest is older than
/// <see cref="RosObjectTrackerOptions.StaleAfter"/>, so a lost object is seen as lost, not frozen.
/// Poses in another frame, non-finite or non-unit, unstamped or out of order are counted and ignored
/// (<see cref="Rejected"/>, <see cref="LastRejection"/>, a trace warning per new reason); nothing
/// here throws into the caller.
/// </summary>
public sealed class RosObjectTracker : IObjectTracker, IDisposable
{
    /// <summary>How far a quaternion's norm may be from 1 before the pose counts as malformed.</summary>
    private const double UnitTolerance = 0.05;

    private readonly RosObjectTrackerOptions _options;
    private readonly IRobotClock _clock;
    private readonly StampAlignment _robotStamps;
    private readonly StampAlignment _ownStamps = new();
    private readonly RosSubscription<PoseStamped> _subscription;
    private readonly Lock _gate = new();
    private ObjectState _latest;
    private bool _hasPose;
    private TimeSpan _latestRobotStamp;
    private string? _lastRejection;
    private long _received;
    private long _rejected;
    private long _discontinuities;
    private bool _disposed;

    /// <param name="client">The robot's rosbridge connection (share <see cref="RosFetch.Client"/>).</param>
    /// <param name="clock">The clock poses are stamped on (<see cref="RosFetch.Clock"/>).</param>
    /// <param name="robotStamps">The robot connection's stamp mapping (<see cref="RosFetch.Stamps"/>). The
    /// tracker only reads its offset, so a pose's age includes the perception pipeline's latency and a
    /// detector on another clock can never shift the joint-state stamps.</param>
    public RosObjectTracker(RosbridgeClient client, IRobotClock clock, StampAlignment robotStamps, RosObjectTrackerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _options = options ?? new RosObjectTrackerOptions();
        _options.Validate();
        _clock = clock;
        _robotStamps = robotStamps;
        // One pose per message matters (velocities difference consecutive poses); a small mailbox is moot
        // with a callback, which runs on the receive thread.
        _subscription = client.Subscribe<PoseStamped>(_options.Topic, onMessage: OnPose);
    }

    /// <summary>Shares <paramref name="fetch"/>'s connection, clock and stamp mapping.</summary>
    public static RosObjectTracker For(RosFetch fetch, RosObjectTrackerOptions? options = null) =>
        new(fetch.Client, fetch.Clock, fetch.Stamps, options);

    public RosObjectTrackerOptions Options => _options;

    /// <summary>Poses accepted so far.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Messages ignored as malformed or in the wrong frame (including ones that failed to decode).</summary>
    public long Rejected => Interlocked.Read(ref _rejected) + _subscription.DecodeErrors;

    /// <summary>Jumps faster than <see cref="RosObjectTrackerOptions.MaxPlausibleSpeed"/>, after which the velocity restarted at zero.</summary>
    public long Discontinuities => Interlocked.Read(ref _discontinuities);

    /// <summary>Why the last refused message was refused, or null if none was.</summary>
    public string? LastRejection
    {
        get
        {
            lock (_gate)
            {
                return _lastRejection;
            }
        }
    }

    /// <summary>Age of the latest accepted pose on the robot clock, or null before the first.</summary>
    public TimeSpan? Age
    {
        get
        {
            lock (_gate)
            {
                return _hasPose ? _clock.Now - _latest.Stamp : null;
            }
        }
    }

    public bool TryGetObjectState(out ObjectState state)
    {
        lock (_gate)
        {
            if (!_hasPose || _clock.Now - _latest.Stamp > _options.StaleAfter)
            {
                state = default;
                return false;
            }
            state = _latest;
            return true;
        }
    }

    // ---------------------------------------------------------------- receive thread

    private void OnPose(PoseStamped message)
    {
        TimeSpan receivedAt = _clock.Now;
        if (Validate(message) is { } problem)
        {
            lock (_gate)
            {
                Reject(problem);
            }
            return;
        }
        Point p = message.Pose.Position;
        Quaternion q = message.Pose.Orientation;
        double norm = Math.Sqrt(q.X * q.X + q.Y * q.Y + q.Z * q.Z + q.W * q.W);
        var position = new Vec3(p.X, p.Y, p.Z);
        Rotation3 orientation = Rotation3.FromQuaternion(q.X / norm, q.Y / norm, q.Z / norm, q.W / norm);
        TimeSpan robotStamp = message.Header.Stamp.ToTimeSpan();
        lock (_gate)
        {
            if (_hasPose && robotStamp <= _latestRobotStamp)
            {
                Reject($"{_options.Topic}: stamp {robotStamp.TotalSeconds:F3} s is not newer than the previous pose's " +
                             $"{_latestRobotStamp.TotalSeconds:F3} s (duplicate or out of order)");
                return;
            }
            TimeSpan stamp = ToLocal(robotStamp, receivedAt);
            Vec3 linear = Vec3.Zero, angular = Vec3.Zero;
            double dt = (robotStamp - _latestRobotStamp).TotalSeconds;
            // Difference only poses that follow each other closely: across a gap (lost, then re-seen) the
            // object may have done anything, so its velocity restarts at zero.
            if (_hasPose && dt <= _options.StaleAfter.TotalSeconds)
            {
                (linear, angular) = ObjectVelocity.Between(_latest.Position, _latest.Orientation, position, orientation, dt);
                if (linear.Length > _options.MaxPlausibleSpeed)
                {
                    Interlocked.Increment(ref _discontinuities);
                    linear = Vec3.Zero;
                    angular = Vec3.Zero;
                }
            }
            _latest = new ObjectState(position, orientation, linear, angular, stamp);
            _latestRobotStamp = robotStamp;
            _hasPose = true;
        }
        Interlocked.Increment(ref _received);
    }

    /// <summary>The robot-clock stamp mapped onto the bridge clock with the robot connection's offset
    /// (learned from joint states); before the robot has spoken, with one learned from these poses.</summary>
    private TimeSpan ToLocal(TimeSpan robotStamp, TimeSpan receivedAt)
    {
        if (_robotStamps.Offset is not { } offset)
        {
            return _ownStamps.ToLocal(robotStamp, receivedAt);
        }
        TimeSpan local = robotStamp + offset;
        return local < receivedAt ? local : receivedAt; // a pose cannot have been measured after it arrived
    }

    private string? Validate(PoseStamped message)
    {
        string frame = message.Header.FrameId.TrimStart('/');
        if (!string.Equals(frame, _options.Frame, StringComparison.Ordinal))
        {
            return $"{_options.Topic}: pose in frame \"{message.Header.FrameId}\" refused; only \"{_options.Frame}\" is accepted " +
                   "(the tracker does not transform: republish the pose in that frame)";
        }
        if (message.Header.Stamp.ToTimeSpan() <= TimeSpan.Zero)
        {
            return $"{_options.Topic}: pose with a zero stamp refused (stamp it with the time it was measured)";
        }
        Point p = message.Pose.Position;
        if (!double.IsFinite(p.X) || !double.IsFinite(p.Y) || !double.IsFinite(p.Z))
        {
            return $"{_options.Topic}: position ({p.X}, {p.Y}, {p.Z}) is not finite";
        }
        Quaternion q = message.Pose.Orientation;
        double norm = Math.Sqrt(q.X * q.X + q.Y * q.Y + q.Z * q.Z + q.W * q.W);
        if (!double.IsFinite(norm) || Math.Abs(norm - 1) > UnitTolerance)
        {
            return $"{_options.Topic}: orientation ({q.X}, {q.Y}, {q.Z}, {q.W}) is not a unit quaternion (norm {norm:G4})";
        }
        return null;
    }

    /// <summary>Counts a refused message; call under the gate.</summary>
    private void Reject(string reason)
    {
        Interlocked.Increment(ref _rejected);
        // One trace line per kind of problem in a row (the text up to its first number): a detector stuck
        // in the wrong frame at 30 Hz must not flood the log.
        if (_lastRejection is null || !string.Equals(Kind(reason), Kind(_lastRejection), StringComparison.Ordinal))
        {
            Trace.TraceWarning($"RosObjectTracker: {reason} (further ones like it are counted, not logged)");
        }
        _lastRejection = reason;
    }

    private static string Kind(string reason)
    {
        int digit = reason.AsSpan().IndexOfAnyInRange('0', '9');
        return digit < 0 ? reason : reason[..digit];
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _subscription.Dispose();
    }
}
