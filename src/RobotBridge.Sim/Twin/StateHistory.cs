using RobotBridge.Robots;

namespace RobotBridge.Sim.Twin;

/// <summary>
/// A ring of preallocated joint-state samples, long enough to serve a state that is
/// <c>latency</c> old: <see cref="ReadAt"/> copies the newest sample stamped at or before now − latency.
/// </summary>
internal sealed class StateHistory
{
    private readonly double _rate;
    private RobotState[] _ring;
    private TimeSpan _latency;
    private int _newest = -1;
    private int _count;

    public StateHistory(TimeSpan latency, double rate)
    {
        _rate = rate;
        _latency = latency;
        _ring = Allocate(latency, rate);
    }

    /// <summary>Serves states <paramref name="latency"/> old from now on and forgets the samples held
    /// (call between episodes); the ring grows if the new latency needs more samples.</summary>
    public void SetLatency(TimeSpan latency)
    {
        if (Capacity(latency, _rate) > _ring.Length)
        {
            _ring = Allocate(latency, _rate);
        }
        _latency = latency;
        Clear();
    }

    private static int Capacity(TimeSpan latency, double rate) => (int)Math.Ceiling(latency.TotalSeconds * rate) + 4;

    private static RobotState[] Allocate(TimeSpan latency, double rate)
    {
        var ring = new RobotState[Capacity(latency, rate)];
        for (int i = 0; i < ring.Length; i++)
        {
            ring[i] = new RobotState();
        }
        return ring;
    }

    public void Clear()
    {
        _newest = -1;
        _count = 0;
    }

    /// <summary>The slot the next sample is written into (commit it with <see cref="Commit"/>).</summary>
    public RobotState NextSlot() => _ring[(_newest + 1) % _ring.Length];

    public void Commit()
    {
        _newest = (_newest + 1) % _ring.Length;
        _count = Math.Min(_count + 1, _ring.Length);
    }

    public void ReadAt(TimeSpan now, RobotState target)
    {
        if (_count == 0)
        {
            target.IsValid = false;
            return;
        }
        TimeSpan cutoff = now - _latency;
        int index = _newest;
        for (int k = 0; k < _count; k++)
        {
            RobotState candidate = _ring[index];
            if (candidate.Stamp <= cutoff || k == _count - 1)
            {
                candidate.CopyTo(target);
                // The bridge "received" the sample once its latency had passed, not when someone read
                // it: a slow publisher must show up as an ageing state (the supervisor stops on it).
                TimeSpan arrived = candidate.Stamp + _latency;
                target.ReceivedAt = arrived < now ? arrived : now;
                return;
            }
            index = (index - 1 + _ring.Length) % _ring.Length;
        }
    }
}
