using RobotBridge.Ros.Fetch;
using RobotBridge.Ros.Serialization;

namespace RobotBridge.Ros.Client;

/// <summary>
/// The ROS time a client stamps its goals and headers with, as <c>ros::Time::now()</c> does on a ROS
/// node: the robot's own clock once learned from the stamps of its messages (the wall-clock epoch on a
/// real Fetch, simulation time on a served twin), and the wall-clock epoch (UTC since 1970) before
/// that. A SimpleActionServer drops a goal stamped older than the last goal it took, from any client,
/// so stamps must count on from where the previous process left them: a clock that starts at zero in
/// every process has every goal of its second run RECALLED.
/// </summary>
/// <remarks>
/// <para>Learning: the robot's "now" is the newest stamp seen plus the local time since it arrived, so
/// it lags the robot's clock by that message's transport time and is not in the robot's future (a
/// future <c>trajectory.header.stamp</c> delays a FollowJointTrajectory goal). It is re-anchored on
/// every newer stamp, so it also follows a robot clock that runs at another rate than ours: a served
/// twin that falls behind real time on a loaded machine ran 3 s behind the wall clock within 10 s,
/// and an estimate from a fixed offset was that far in its future. Zero stamps (a publisher that does
/// not stamp) teach nothing.</para>
/// <para>Ordering: stamps on the robot's clock never go backwards, not across a reconnect either (a
/// second stamp in the same 100 ns tick is moved one tick on), and a wall-clock stamp is never
/// behind any stamp sent before. Two steps back are allowed, both onto another clock: from the
/// wall-clock fallback to a robot clock that runs behind it (the served twin counts seconds since it
/// started), and, after <see cref="Relearn"/> (a reconnect), to a robot clock more than
/// <see cref="RestartThreshold"/> behind the last stamp, which only a restarted robot produces (a new
/// simulation, whose action servers remember no goal). So a caller that sends its first goal only
/// after the robot has spoken (as <see cref="RosFetch"/>'s users do) sends goals whose stamps
/// only grow, in this process and in the next.</para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed class RosStampClock
{
    /// <summary>How far behind the last stamp a relearned robot clock must be to count as a new clock.</summary>
    public static readonly TimeSpan RestartThreshold = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly Lock _gate = new();
    private TimeSpan _robotStamp;
    private TimeSpan _robotReceived;
    private bool _learned;
    private bool _relearning;
    private TimeSpan _lastRobot = TimeSpan.MinValue;
    private TimeSpan _lastWall = TimeSpan.MinValue;

    public RosStampClock(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _origin = _time.GetTimestamp();
    }

    /// <summary>True once the robot's clock has been learned from a message stamp.</summary>
    public bool UsesRobotClock
    {
        get
        {
            lock (_gate)
            {
                return _learned;
            }
        }
    }

    /// <summary>Learns the robot's clock from the stamp of a message it just sent.</summary>
    public void Observe(RosTime stamp)
    {
        if (stamp.IsZero)
        {
            return;
        }
        TimeSpan local = _time.GetElapsedTime(_origin);
        TimeSpan robot = stamp.ToTimeSpan();
        lock (_gate)
        {
            // Body and gripper messages may come out of order: only a newer stamp re-anchors.
            if (!_learned || robot > _robotStamp)
            {
                _robotStamp = robot;
                _robotReceived = local;
                _learned = true;
            }
        }
    }

    /// <summary>Forgets the robot's clock (call on every reconnect: the robot behind the link may have
    /// restarted with another clock); stamps fall back to the wall clock until the next message.</summary>
    public void Relearn()
    {
        lock (_gate)
        {
            _relearning = true;
            _learned = false;
        }
    }

    /// <summary>The stamp for a message sent now.</summary>
    public RosTime Now()
    {
        TimeSpan local = _time.GetElapsedTime(_origin);
        lock (_gate)
        {
            TimeSpan now;
            if (_learned)
            {
                now = _robotStamp + (local - _robotReceived);
                if (_relearning && _lastRobot != TimeSpan.MinValue && now < _lastRobot - RestartThreshold)
                {
                    _lastRobot = TimeSpan.MinValue; // a restarted robot: its clock begins anew
                }
                _relearning = false;
                now = After(now, _lastRobot);
                _lastRobot = now;
            }
            else
            {
                // Never behind a stamp already sent on either clock (a Fetch whose clock runs ahead of ours).
                now = After(_time.GetUtcNow() - DateTimeOffset.UnixEpoch, _lastWall > _lastRobot ? _lastWall : _lastRobot);
                _lastWall = now;
            }
            return RosTime.FromTimeSpan(now);
        }
    }

    private static TimeSpan After(TimeSpan now, TimeSpan last) => now > last ? now : last + TimeSpan.FromTicks(1);
}
