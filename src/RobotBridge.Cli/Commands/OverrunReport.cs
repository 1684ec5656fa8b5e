using RobotBridge.Ros.Fetch;

namespace RobotBridge.Cli.Commands;

/// <summary>
/// Says while <c>serve</c> runs when the robot node fell behind its period: one line per report period
/// that had overruns, with the counts and the rate really achieved (silence means every cycle was on time).
/// </summary>
internal sealed class OverrunReport(FetchRobotNode node, TimeSpan period)
{
    private long _ticks = node.Ticks;
    private long _overruns = node.Overruns;
    private DateTime _since = DateTime.UtcNow;

    public TimeSpan Period { get; } = period;

    /// <summary>A line when a full period has passed with overruns in it; otherwise null.</summary>
    public string? Poll()
    {
        var now = DateTime.UtcNow;
        double elapsed = (now - _since).TotalSeconds;
        if (elapsed < Period.TotalSeconds * 0.95)
        {
            return null;
        }
        long ticks = node.Ticks, overruns = node.Overruns;
        long cycles = ticks - _ticks, late = overruns - _overruns;
        (_ticks, _overruns, _since) = (ticks, overruns, now);
        return late <= 0 ? null
            : $"node overruns: {late} of {cycles} cycles late in the last {elapsed:0.0} s ({cycles / elapsed:0.0} Hz achieved); " +
              "the machine cannot keep the robot's rate";
    }
}
