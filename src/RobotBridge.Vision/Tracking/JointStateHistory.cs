namespace RobotBridge.Vision.Tracking;

/// <summary>
/// The last few measured joint positions (all of <see cref="RobotBridge.Robots.FetchJoints.All"/>), so a
/// frame is placed with the head, and related to the gripper, where they were when the frame was taken,
/// not where they are when the frame is processed. Linear interpolation between samples; before the
/// oldest sample or after the newest, the nearest one. Fixed capacity, no allocation after construction.
/// </summary>
internal sealed class JointStateHistory(int joints, int capacity = 64)
{
    private readonly TimeSpan[] _stamps = new TimeSpan[capacity];
    private readonly double[] _positions = new double[capacity * joints];
    private int _count;
    private int _next;

    public int Count => _count;

    /// <summary>Adds a sample newer than the last one; older or equal stamps are ignored.</summary>
    public void Add(TimeSpan stamp, ReadOnlySpan<double> positions)
    {
        if (_count > 0 && stamp <= _stamps[(_next - 1 + capacity) % capacity])
        {
            return;
        }
        _stamps[_next] = stamp;
        positions[..joints].CopyTo(Row(_next));
        _next = (_next + 1) % capacity;
        _count = Math.Min(_count + 1, capacity);
    }

    /// <summary>Writes the joints at <paramref name="stamp"/> into <paramref name="positions"/>; false before
    /// the first sample. <paramref name="gap"/> is how far the stamp lies outside the samples (zero when
    /// between two).</summary>
    public bool TryAt(TimeSpan stamp, Span<double> positions, out TimeSpan gap)
    {
        gap = TimeSpan.Zero;
        if (_count == 0)
        {
            return false;
        }
        int oldest = (_next - _count + capacity) % capacity;
        int newest = (_next - 1 + capacity) % capacity;
        if (stamp <= _stamps[oldest])
        {
            gap = _stamps[oldest] - stamp;
            Row(oldest).CopyTo(positions);
            return true;
        }
        if (stamp >= _stamps[newest])
        {
            gap = stamp - _stamps[newest];
            Row(newest).CopyTo(positions);
            return true;
        }
        for (int k = 1; k < _count; k++)
        {
            int after = (oldest + k) % capacity;
            if (_stamps[after] >= stamp)
            {
                int before = (after - 1 + capacity) % capacity;
                double w = (stamp - _stamps[before]).Ticks / (double)(_stamps[after] - _stamps[before]).Ticks;
                ReadOnlySpan<double> a = Row(before), b = Row(after);
                for (int j = 0; j < joints; j++)
                {
                    positions[j] = a[j] + (b[j] - a[j]) * w;
                }
                return true;
            }
        }
        Row(newest).CopyTo(positions);
        return true;
    }

    private Span<double> Row(int i) => _positions.AsSpan(i * joints, joints);
}
