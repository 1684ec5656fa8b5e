namespace RobotBridge.Teleop.Robot;

/// <summary>
/// Estimates how long an operator message was under way without synchronised clocks. Each message
/// carries the operator's monotonic time <c>t_ms</c>; the robot notes <c>offset = received − t_ms</c>.
/// The smallest offset seen recently belongs to a message that travelled as fast as the path allows,
/// so <c>offset − min(offset)</c> is how much longer this message took: time spent in a queue, a
/// stalled socket or a broker backlog. Clock drift between the machines is followed by keeping the
/// minimum over two rolling windows. One estimator per operator; not thread-safe (the bridge calls it
/// from the MQTT receive loop only).
/// </summary>
/// <remarks>The very first message of an operator has age 0 by construction. That is why the robot
/// starts every session clean (no broker-side queue) and why heartbeats, sent before any command,
/// establish the baseline.</remarks>
public sealed class MessageAgeEstimator
{
    private readonly long _windowMs;
    private long _windowStartMs = long.MinValue;
    private long _currentMin = long.MaxValue;
    private long _previousMin = long.MaxValue;

    public MessageAgeEstimator(TimeSpan window)
    {
        if (window <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "window must be positive");
        }
        _windowMs = (long)window.TotalMilliseconds;
    }

    /// <summary>Records a message sent at operator time <paramref name="sentMs"/> and received at robot
    /// time <paramref name="receivedMs"/>; returns its estimated extra delay in milliseconds (≥ 0).</summary>
    public long Observe(long receivedMs, long sentMs)
    {
        long offset = receivedMs - sentMs;
        if (_windowStartMs == long.MinValue || receivedMs - _windowStartMs >= _windowMs)
        {
            _previousMin = _currentMin;
            _currentMin = long.MaxValue;
            _windowStartMs = receivedMs;
        }
        _currentMin = Math.Min(_currentMin, offset);
        long best = Math.Min(_currentMin, _previousMin);
        return offset - best;
    }
}
