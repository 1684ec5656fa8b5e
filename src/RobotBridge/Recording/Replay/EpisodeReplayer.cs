using RobotBridge.Gym;
using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Spaces;

namespace RobotBridge.Recording.Replay;

/// <summary>
/// Plays a recorded episode's actions back on an env (the twin) from a reset with the recorded seed,
/// and measures how far the replayed observations drift from the recorded ones. On a recording made
/// on the same twin with the same seed the divergence is zero (determinism); on a recording from the
/// real Fetch it measures the sim-to-real gap along that trajectory.
/// </summary>
public static class EpisodeReplayer
{
    /// <summary>Replays <paramref name="episode"/> on <paramref name="env"/>, which must be the task
    /// the episode was recorded on (same observation layout). Stops when the env ends the episode or
    /// the recorded actions run out.</summary>
    public static ReplayReport Replay(IEnv<DictValue, float[]> env, RecordedEpisode episode)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(episode);
        var steps = episode.Steps;
        if (steps.Count == 0 || steps[0].Observation is null)
        {
            throw new ArgumentException($"episode {episode.Info.Index} has no recorded first observation to compare with");
        }

        var divergences = new List<StepDivergence>(steps.Count);
        var (observation, _) = env.Reset(seed: episode.Info.Seed);
        divergences.Add(Compare(0, steps[0], observation));

        int replayed = 0;
        string? stoppedEarly = null;
        for (int i = 0; i < steps.Count; i++)
        {
            if (steps[i].Action is not { } recordedAction)
            {
                break;
            }
            var action = new float[recordedAction.Length];
            for (int j = 0; j < action.Length; j++)
            {
                action[j] = (float)recordedAction[j];
            }
            if (!env.ActionSpace.Contains(action))
            {
                throw new ArgumentException(
                    $"recorded action of step {i} ({action.Length} values) is not in the env's action space {env.ActionSpace}; is this the task it was recorded on?");
            }
            var result = env.Step(action);
            replayed++;
            if (i + 1 < steps.Count && steps[i + 1].Observation is not null)
            {
                divergences.Add(Compare(i + 1, steps[i + 1], result.Observation));
            }
            if (result.Done && i + 1 < steps.Count && steps[i + 1].Action is not null)
            {
                stoppedEarly = $"the twin ended the episode at step {i + 1} (terminated={result.Terminated}, truncated={result.Truncated}) " +
                               $"while the recording continues to step {steps.Count - 1}";
                break;
            }
        }
        return new ReplayReport(episode.Info, divergences, replayed, stoppedEarly);
    }

    private static StepDivergence Compare(int index, RecordedStep recorded, DictValue replayed) =>
        new(index, recorded.Time,
            Distance(recorded.Observation, replayed, GoalObservation.ObservationKey),
            Distance(recorded.AchievedGoal, replayed, GoalObservation.AchievedGoalKey),
            Distance(recorded.DesiredGoal, replayed, GoalObservation.DesiredGoalKey));

    private static double Distance(double[]? recorded, DictValue replayed, string key)
    {
        if (recorded is null || !replayed.ContainsKey(key))
        {
            return double.NaN;
        }
        double[] values = replayed.Get<double[]>(key);
        if (values.Length != recorded.Length)
        {
            throw new ArgumentException($"recorded {key} has {recorded.Length} values, the env's has {values.Length}; is this the task it was recorded on?");
        }
        double sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            double d = values[i] - recorded[i];
            sum += d * d;
        }
        return Math.Sqrt(sum);
    }
}

/// <summary>Records Gym goal-env data (<see cref="DictValue"/> observations with observation /
/// achieved_goal / desired_goal, float actions) on an <see cref="EpisodeRecorder"/>.</summary>
public static class GoalEnvRecording
{
    /// <summary>Records the parts of a goal observation that are float64 vectors (an image key, if
    /// any, is left to <see cref="EpisodeRecorder.RecordCameraFrame"/>).</summary>
    public static void RecordGoalObservation(this EpisodeRecorder recorder, TimeSpan t, DictValue observation)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        ArgumentNullException.ThrowIfNull(observation);
        recorder.RecordObservation(t, observation.Observation());
        if (observation.ContainsKey(GoalObservation.AchievedGoalKey))
        {
            recorder.RecordGoals(t, observation.AchievedGoal(), observation.DesiredGoal());
        }
    }

    /// <summary>Records a float32 action (widened to float64, exactly).</summary>
    public static void RecordAction(this EpisodeRecorder recorder, TimeSpan t, ReadOnlySpan<float> action)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        Span<double> wide = action.Length <= 64 ? stackalloc double[action.Length] : new double[action.Length];
        for (int i = 0; i < action.Length; i++)
        {
            wide[i] = action[i];
        }
        recorder.RecordAction(t, wide);
    }
}
