namespace RobotBridge.Ros.Fetch;

/// <summary>
/// Maps the stamps of a robot's messages (its own clock: ROS time on a Fetch, simulation time on a
/// served twin) onto the bridge's clock, so <see cref="Robots.RobotState.Stamp"/> and camera frame
/// stamps are robot-clock times as <see cref="Robots.IRobot"/> promises, and ages (now − stamp) mean
/// something without the two machines' clocks being synchronised.
/// </summary>
/// <remarks>The offset is the smallest (received − stamp) seen: the message that travelled fastest
/// defines "no delay", so mapped ages leave out only that smallest transport time (well under a
/// millisecond on loopback, a few on Wi-Fi) — they are lower bounds, never negative. The minimum is
/// taken over a sliding window so a robot clock that drifts or steps is followed within a window.
/// Thread-safe.</remarks>
public sealed class StampAlignment(TimeSpan? window = null)
{
    private readonly TimeSpan _window = window ?? TimeSpan.FromSeconds(10);
    private readonly Lock _gate = new();
    private TimeSpan? _offset;
    private TimeSpan _windowMin = TimeSpan.MaxValue;
    private TimeSpan _windowStart;

    /// <summary>The current offset (bridge time − robot stamp), or null before the first message.</summary>
    public TimeSpan? Offset
    {
        get
        {
            lock (_gate)
            {
                return _offset;
            }
        }
    }

    /// <summary>The robot-clock time of <paramref name="local"/> on the bridge's clock, or null before the
    /// first message. The fastest message's delay is left out, so while both clocks run at one rate the
    /// result is not in the robot's future.</summary>
    public TimeSpan? ToRobot(TimeSpan local)
    {
        lock (_gate)
        {
            return _offset is { } offset ? local - offset : null;
        }
    }

    /// <summary>The bridge-clock time of a message stamped <paramref name="stamp"/> by the robot and
    /// received at <paramref name="receivedAt"/> on the bridge's clock (never later than that).</summary>
    public TimeSpan ToLocal(TimeSpan stamp, TimeSpan receivedAt)
    {
        TimeSpan sample = receivedAt - stamp;
        lock (_gate)
        {
            if (_offset is null)
            {
                _windowStart = receivedAt;
            }
            else if (receivedAt - _windowStart >= _window)
            {
                // Forget minima older than a window: the robot's clock may have drifted or stepped since.
                _offset = _windowMin;
                _windowMin = TimeSpan.MaxValue;
                _windowStart = receivedAt;
            }
            if (_offset is not { } offset || sample < offset)
            {
                _offset = sample;
            }
            if (sample < _windowMin)
            {
                _windowMin = sample;
            }
            return stamp + _offset.Value;
        }
    }
}
