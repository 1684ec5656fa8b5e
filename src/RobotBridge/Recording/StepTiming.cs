namespace RobotBridge.Recording;

/// <summary>When one control step was due, when it started and when its command went out (robot
/// clock). Recorded on <see cref="EpisodeTopics.Timing"/> as [scheduled, started, completed,
/// lateness, compute] in seconds.</summary>
public readonly record struct StepTiming(TimeSpan Scheduled, TimeSpan Started, TimeSpan Completed)
{
    /// <summary>Field labels of the recorded vector, in order.</summary>
    public const string Labels = "scheduled_s,started_s,completed_s,lateness_s,compute_s";

    public TimeSpan Lateness => Started - Scheduled;

    public TimeSpan Compute => Completed - Started;
}
