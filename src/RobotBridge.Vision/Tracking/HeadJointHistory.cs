namespace RobotBridge.Vision.Tracking;

/// <summary>
/// The last few measured positions of the joints that move the head camera (torso lift, head pan,
/// head tilt), so a frame is placed with the head where it was when the frame was taken, not where it
/// is when the frame is processed. Linear interpolation between samples; before the oldest sample or
/// after the newest, the nearest one. Fixed capacity, no allocation after construction.
/// </summary>
internal sealed class HeadJointHistory(int capacity = 64)
{
    private readonly TimeSpan[] _stamps = new TimeSpan[capacity];
    private readonly double[] _joints = new double[capacity * 3];
    private int _count;
    private int _next;

    public int Count => _count;

    /// <summary>Adds a sample newer than the last one; older or equal stamps are ignored.</summary>
    public void Add(TimeSpan stamp, double torso, double pan, double tilt)
    {
        if (_count > 0 && stamp <= _stamps[(_next - 1 + capacity) % capacity])
        {
            return;
        }
        _stamps[_next] = stamp;
        _joints[_next * 3] = torso;
        _joints[_next * 3 + 1] = pan;
        _joints[_next * 3 + 2] = tilt;
        _next = (_next + 1) % capacity;
        _count = Math.Min(_count + 1, capacity);
    }

    /// <summary>The joints at <paramref name="stamp"/>; false before the first sample. <paramref name="gap"/>
    /// is how far the stamp lies outside the samples (zero when between two).</summary>
    public bool TryAt(TimeSpan stamp, out double torso, out double pan, out double tilt, out TimeSpan gap)
    {
        torso = pan = tilt = 0;
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
            Read(oldest, out torso, out pan, out tilt);
            return true;
        }
        if (stamp >= _stamps[newest])
        {
            gap = stamp - _stamps[newest];
            Read(newest, out torso, out pan, out tilt);
            return true;
        }
        for (int k = 1; k < _count; k++)
        {
            int after = (oldest + k) % capacity;
            if (_stamps[after] >= stamp)
            {
                int before = (after - 1 + capacity) % capacity;
                double w = (stamp - _stamps[before]).Ticks / (double)(_stamps[after] - _stamps[before]).Ticks;
                torso = Lerp(_joints[before * 3], _joints[after * 3], w);
                pan = Lerp(_joints[before * 3 + 1], _joints[after * 3 + 1], w);
                tilt = Lerp(_joints[before * 3 + 2], _joints[after * 3 + 2], w);
                return true;
            }
        }
        Read(newest, out torso, out pan, out tilt);
        return true;
    }

    private void Read(int i, out double torso, out double pan, out double tilt)
    {
        torso = _joints[i * 3];
        pan = _joints[i * 3 + 1];
        tilt = _joints[i * 3 + 2];
    }

    private static double Lerp(double a, double b, double w) => a + (b - a) * w;
}
