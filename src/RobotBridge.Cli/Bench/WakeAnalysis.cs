using RobotBridge.Control;

namespace RobotBridge.Cli.Bench;

/// <summary>Period and jitter of a loop from its raw wake times (seconds), computed the same way for
/// every loop compared: period = t[k] − t[k−1]; period jitter = |period − T|.</summary>
internal readonly record struct WakeAnalysis(TimingSummary Period, TimingSummary Jitter, long Late)
{
    public static WakeAnalysis Of(ReadOnlySpan<double> wakes, double rateHz)
    {
        double period = 1 / rateHz;
        var periods = new double[Math.Max(wakes.Length - 1, 0)];
        var jitter = new double[periods.Length];
        long late = 0;
        for (int k = 0; k < wakes.Length; k++)
        {
            if (k > 0)
            {
                periods[k - 1] = (wakes[k] - wakes[k - 1]) * 1000;
                jitter[k - 1] = Math.Abs(wakes[k] - wakes[k - 1] - period) * 1000;
                if (wakes[k] - wakes[k - 1] > 1.5 * period)
                {
                    late++;
                }
            }
        }
        return new WakeAnalysis(TimingSeries.Summarize(periods, periods.Length), TimingSeries.Summarize(jitter, jitter.Length), late);
    }
}
