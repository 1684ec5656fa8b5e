using RobotBridge.Gym;
using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;
using RobotBridge.Learning.Envs;
using RobotBridge.Learning.Policies;
using RobotBridge.Tasks;

namespace RobotBridge.Cli.Bench;

/// <summary>
/// A policy's success with the object's pose from ground truth and from the camera tracker, on the same
/// episodes: every episode is reset with its own seed (first seed + index), so both trackers see the same
/// goals and placements whatever the other episodes did. An episode the camera cannot see at its start
/// (the env refuses the reset) counts as a failure and the run goes on; a latched safety stop ends it.
/// </summary>
internal static class TrackerComparisonBench
{
    /// <summary>Steps whose observation held a pose at most this old count as freshly measured: the
    /// one-step lag (100 ms) plus one camera frame (67 ms at 15 Hz).</summary>
    public static readonly TimeSpan FreshAge = TimeSpan.FromMilliseconds(170);

    public sealed record Run(string Tracker, int Episodes, int Successes, int UnseenStarts, int Steps, int FreshSteps, int TrackedSteps, string? StoppedBy)
    {
        public double SuccessRate => Episodes == 0 ? 0 : Successes / (double)Episodes;
    }

    public static Run Measure(SquashedGaussianPolicy policy, string envId, EnvOptions options, string tracker, int episodes, int seed)
    {
        using var env = GymEnvs.Make<DictValue, float[]>(envId, options.With(ObjectTrackerChoice.Option, tracker));
        PolicyEnvMismatchException.ThrowIfMismatched(policy.Spec, env, envId);
        int limit = options.MaxEpisodeSteps ?? env.Spec?.MaxEpisodeSteps ?? FetchEnvs.MaxEpisodeSteps;
        var vector = new float[policy.Spec.VectorSize];
        var action = new float[policy.Spec.ActionSize];
        int successes = 0, unseen = 0, steps = 0, fresh = 0, tracked = 0;
        for (int e = 0; e < episodes; e++)
        {
            DictValue obs;
            try
            {
                (obs, _) = env.Reset(seed: seed + e);
            }
            catch (TaskResetException refused)
            {
                if (env.SafetyGuard()?.Snapshot is { IsStopped: true })
                {
                    return new Run(tracker, e, successes, unseen, steps, fresh, tracked, $"episode {e + 1}: {refused.Message}");
                }
                unseen++; // the camera did not see the object where it was put: the episode cannot start
                continue;
            }
            bool success = false;
            for (int t = 0; t < limit; t++)
            {
                PolicyInputs.WriteVector(policy.Spec, obs, vector);
                policy.Act(vector, PolicyInputs.Image(policy.Spec, obs), action);
                var step = env.Step(action);
                obs = step.Observation;
                steps++;
                bool seen = step.Info.GetOrDefault(FetchTaskInfoKeys.ObjectTracked, false);
                tracked += seen ? 1 : 0;
                fresh += seen && step.Info.GetOrDefault(FetchTaskInfoKeys.ObjectAge, TimeSpan.MaxValue) <= FreshAge ? 1 : 0;
                success = step.Info.GetOrDefault(InfoKeys.IsSuccess, false);
                if (step.Done)
                {
                    break;
                }
            }
            successes += success ? 1 : 0;
        }
        return new Run(tracker, episodes, successes, unseen, steps, fresh, tracked, null);
    }
}
