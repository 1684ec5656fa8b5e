namespace RobotBridge.Gym;

/// <summary>The <see cref="Info"/> keys RobotBridge envs and wrappers use. Other areas may declare
/// their own keys next to their code; names follow Gymnasium where one exists.</summary>
public static class InfoKeys
{
    /// <summary>Goal envs: the achieved goal is within the success threshold (Gymnasium-Robotics "is_success").</summary>
    public static readonly InfoKey<bool> IsSuccess = new("is_success");

    /// <summary>Timing of the step on the robot's clock and the wall clock.</summary>
    public static readonly InfoKey<StepTiming> Timing = new("timing");

    /// <summary>Set by <see cref="Wrappers.RecordEpisodeStatistics{TObs, TAct}"/> on the step that ends an episode.</summary>
    public static readonly InfoKey<EpisodeStatistics> Episode = new("episode");
}

/// <summary>Timing of one env step. Every field is optional (zero when the env cannot tell).</summary>
/// <param name="RobotTime">Robot-clock time at the end of the step (virtual on the twin, wall on the robot).</param>
/// <param name="Period">Nominal control period of the step (e.g. 40 ms for the Fetch tasks at 25 Hz).</param>
/// <param name="Elapsed">Wall time the step took to compute.</param>
/// <param name="Lateness">How late the step ended against its deadline on the robot clock (zero when on time).</param>
/// <param name="ObservationAge">Age of the newest sensor data in the observation at the end of the step.</param>
public readonly record struct StepTiming(TimeSpan RobotTime, TimeSpan Period, TimeSpan Elapsed, TimeSpan Lateness, TimeSpan ObservationAge);

/// <summary>Return, length and wall duration of a finished episode (Gymnasium's info["episode"] r/l/t).</summary>
public readonly record struct EpisodeStatistics(double Return, int Length, TimeSpan Elapsed);
