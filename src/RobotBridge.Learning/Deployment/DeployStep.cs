using RobotBridge.Safety;

namespace RobotBridge.Learning.Deployment;

/// <summary>Timing and outcome of one deployed policy step.</summary>
/// <param name="Inference">Wall time of the policy's forward pass (observation in, action out).</param>
/// <param name="Step">Wall time of the env step (command, control-loop ticks, observation).</param>
/// <param name="EnvTiming">The env's own timing info (robot time, lateness, observation age), if it reports one.</param>
/// <param name="Safety">The supervisor's latch after the step, if the env reports it.</param>
public sealed record DeployStep(int Episode, int StepInEpisode, TimeSpan Inference, TimeSpan Step,
    Gym.StepTiming? EnvTiming, SafetySnapshot? Safety, double Reward, bool Success);

/// <summary>Summary of a deployment: episodes run, successes, latency percentiles, and why it stopped early (if it did).</summary>
public sealed record DeployResult(int Episodes, int Successes, long Steps, LatencySummary Inference, LatencySummary Step, string? StoppedBy)
{
    /// <summary>Times the safety layer stopped the robot during the run (in an episode or while moving to its start).</summary>
    public int SafetyStops { get; init; }

    /// <summary>Times the run went on after an operator reset the e-stop.</summary>
    public int Resumes { get; init; }

    /// <summary>Age of the robot state each step's observation was built from (the env's timing
    /// info; default when the env reports none): on a rosbridge robot, how fresh the link keeps it.</summary>
    public LatencySummary ObservationAge { get; init; }
}

/// <summary>p50 / p99 / max of a set of durations.</summary>
public readonly record struct LatencySummary(TimeSpan P50, TimeSpan P99, TimeSpan Max)
{
    public static LatencySummary Of(List<TimeSpan> samples)
    {
        if (samples.Count == 0) return default;
        var sorted = samples.Order().ToArray();
        return new LatencySummary(Percentile(sorted, 0.50), Percentile(sorted, 0.99), sorted[^1]);
    }

    /// <summary>Nearest-rank percentile of sorted samples.</summary>
    public static TimeSpan Percentile(TimeSpan[] sorted, double q) =>
        sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    public override string ToString() =>
        FormattableString.Invariant($"p50 {P50.TotalMilliseconds:F3} ms, p99 {P99.TotalMilliseconds:F3} ms, max {Max.TotalMilliseconds:F3} ms");
}
