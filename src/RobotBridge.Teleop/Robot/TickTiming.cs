using RobotBridge.Control;
using RobotBridge.Teleop.Protocol;

namespace RobotBridge.Teleop.Robot;

/// <summary>Interval statistics of the bridge's own tick, for <c>telemetry/loop</c> when no
/// control-loop figures are supplied. Thread-safe; allocation-free per tick.</summary>
internal sealed class TickTiming(TimeSpan period)
{
    private readonly TimingSeries _intervals = new(256);
    private long _lastTimestamp;
    private long _overruns;
    private double _lastMs;

    /// <summary>Called by the tick thread only.</summary>
    public void Record(long timestamp, TimeProvider time)
    {
        if (_lastTimestamp != 0)
        {
            double ms = time.GetElapsedTime(_lastTimestamp, timestamp).TotalMilliseconds;
            _intervals.Add(ms);
            Volatile.Write(ref _lastMs, ms);
            if (ms > 2 * period.TotalMilliseconds)
            {
                Interlocked.Increment(ref _overruns);
            }
        }
        _lastTimestamp = timestamp;
    }

    public LoopTimingMessage ToMessage()
    {
        var summary = _intervals.Summarize();
        return new LoopTimingMessage
        {
            PeriodMs = period.TotalMilliseconds,
            LastMs = Volatile.Read(ref _lastMs),
            P99Ms = summary.P99,
            MaxMs = summary.Max,
            Overruns = Interlocked.Read(ref _overruns),
            Cycles = summary.Count,
        };
    }
}
