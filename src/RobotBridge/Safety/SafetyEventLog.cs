namespace RobotBridge.Safety;

/// <summary>
/// Every safety event in order: a bounded in-memory ring for inspection (tests, Gym info, the CLI)
/// and an optional line-per-event text sink (a file or the console). Thread-safe.
/// </summary>
public sealed class SafetyEventLog
{
    private readonly object _gate = new();
    private readonly SafetyEvent[] _ring;
    private long _count;
    private readonly TextWriter? _sink;

    /// <param name="capacity">How many of the most recent events stay in memory.</param>
    /// <param name="sink">Where each event is also written as one line; flushed per event because
    /// a safety log that loses its last lines in a crash is useless.</param>
    public SafetyEventLog(int capacity = 4096, TextWriter? sink = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _ring = new SafetyEvent[capacity];
        _sink = sink;
    }

    /// <summary>Total number of events ever recorded (including those dropped from the ring).</summary>
    public long Count
    {
        get { lock (_gate) { return _count; } }
    }

    public void Record(SafetyEvent safetyEvent)
    {
        lock (_gate)
        {
            _ring[_count % _ring.Length] = safetyEvent;
            _count++;
            if (_sink is not null)
            {
                try
                {
                    _sink.WriteLine(safetyEvent.ToString());
                    _sink.Flush();
                }
                catch (Exception)
                {
                    // A broken log sink must never stop a stop from happening; the ring still has it.
                }
            }
        }
    }

    /// <summary>The events still in memory, oldest first.</summary>
    public IReadOnlyList<SafetyEvent> Snapshot()
    {
        lock (_gate)
        {
            int n = (int)Math.Min(_count, _ring.Length);
            var result = new SafetyEvent[n];
            long first = _count - n;
            for (int i = 0; i < n; i++)
            {
                result[i] = _ring[(first + i) % _ring.Length];
            }
            return result;
        }
    }
}
