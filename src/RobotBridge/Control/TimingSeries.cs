namespace RobotBridge.Control;

/// <summary>p50/p99/max of one timing metric, in milliseconds.</summary>
public readonly record struct TimingSummary(long Count, double P50, double P99, double Max, double Mean)
{
    public override string ToString() => $"p50 {P50:F3} ms, p99 {P99:F3} ms, max {Max:F3} ms (n={Count})";
}

/// <summary>
/// The last N samples of one timing metric (milliseconds) in a preallocated ring; adding never
/// allocates. Summaries sort a copy and are meant to be asked for now and then, not per cycle.
/// Thread-safe: the loop adds while anyone summarises.
/// </summary>
public sealed class TimingSeries
{
    private readonly object _gate = new();
    private readonly double[] _ring;
    private long _count;

    public TimingSeries(int capacity = 1 << 16)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _ring = new double[capacity];
        // Write every page now: a large array comes from the GC as fresh pages the OS has not mapped yet,
        // and the first write to each would otherwise be a page fault inside a loop cycle.
        _ring.AsSpan().Fill(-1);
    }

    public void Add(double milliseconds)
    {
        lock (_gate)
        {
            _ring[_count % _ring.Length] = milliseconds;
            _count++;
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _count = 0;
        }
    }

    public TimingSummary Summarize()
    {
        double[] copy;
        long total;
        lock (_gate)
        {
            total = _count;
            int n = (int)Math.Min(_count, _ring.Length);
            copy = new double[n];
            Array.Copy(_ring, copy, n);
        }
        return Summarize(copy, total);
    }

    /// <summary>Summary of an arbitrary sample set (sorted in place).</summary>
    public static TimingSummary Summarize(double[] samples, long count)
    {
        if (samples.Length == 0)
        {
            return new TimingSummary(0, 0, 0, 0, 0);
        }
        Array.Sort(samples);
        return new TimingSummary(count, Percentile(samples, 0.50), Percentile(samples, 0.99), samples[^1], samples.Average());
    }

    /// <summary>Nearest-rank percentile of sorted samples.</summary>
    private static double Percentile(double[] sorted, double q)
    {
        int rank = (int)Math.Ceiling(q * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
