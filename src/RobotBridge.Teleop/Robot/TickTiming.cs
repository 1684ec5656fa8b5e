using RobotBridge.Teleop.Protocol;

namespace RobotBridge.Teleop.Robot;

/// <summary>Interval statistics of a periodic timer (the bridge's own tick), for <c>telemetry/loop</c>
/// when no control-loop figures are supplied. Thread-safe; allocation-free per tick.</summary>
internal sealed class TickTiming(TimeSpan period)
{
    private readonly object _gate = new();
    private readonly double[] _recent = new double[256];
    private long _lastTimestamp;
    private long _count;
    private long _overruns;
    private double _lastMs;
    private double _maxMs;

    public void Record(long timestamp, TimeProvider time)
    {
        lock (_gate)
        {
            if (_lastTimestamp != 0)
            {
                double ms = time.GetElapsedTime(_lastTimestamp, timestamp).TotalMilliseconds;
                _recent[_count % _recent.Length] = ms;
                _count++;
                _lastMs = ms;
                _maxMs = Math.Max(_maxMs, ms);
                if (ms > 2 * period.TotalMilliseconds)
                {
                    _overruns++;
                }
            }
            _lastTimestamp = timestamp;
        }
    }

    public LoopTimingMessage ToMessage()
    {
        lock (_gate)
        {
            int n = (int)Math.Min(_count, _recent.Length);
            double p99 = 0;
            if (n > 0)
            {
                var sorted = _recent.AsSpan(0, n).ToArray();
                Array.Sort(sorted);
                p99 = sorted[Math.Min(n - 1, (int)Math.Ceiling(0.99 * n) - 1)];
            }
            return new LoopTimingMessage
            {
                PeriodMs = period.TotalMilliseconds,
                LastMs = _lastMs,
                P99Ms = p99,
                MaxMs = _maxMs,
                Overruns = _overruns,
                Cycles = _count,
            };
        }
    }
}
