using RobotBridge.Gym.Envs;
using RobotBridge.Gym.Goals;
using RobotBridge.Recording;
using RobotBridge.Recording.Replay;

namespace RobotBridge.Tests.Recording;

/// <summary>Replay against a real env (PointMassGoalEnv, the core's FetchReach-shaped goal env);
/// `robotbridge replay` uses the same replayer on the Fetch twin's tasks.</summary>
public sealed class EpisodeReplayerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("robotbridge-replay-").FullName;
    private static readonly DateTimeOffset Origin = new(2026, 11, 27, 18, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(PointMassGoalEnv.Dt);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Runs 30 random-action steps on a seeded env and records them; <paramref name="drift"/>
    /// is added to the recorded achieved goal from step 10 on (a body that lags the twin).</summary>
    private string RecordPointMassEpisode(int seed, double drift = 0)
    {
        string path = Path.Combine(_directory, $"pointmass-{seed}-{drift}.bag");
        using var env = new PointMassGoalEnv();
        using var recorder = EpisodeRecorder.Create(path, Origin);
        var random = new Random(seed);
        recorder.BeginEpisode(TimeSpan.Zero, new EpisodeInfo(EpisodeSource.Eval, "PointMassGoal-v0", 0, seed, "twin", Period));
        var (observation, _) = env.Reset(seed);
        for (int step = 0; step <= 30; step++)
        {
            TimeSpan t = step * Period;
            if (step >= 10 && drift != 0)
            {
                double[] achieved = (double[])observation.AchievedGoal().Clone();
                achieved[0] += drift;
                recorder.RecordObservation(t, observation.Observation());
                recorder.RecordGoals(t, achieved, observation.DesiredGoal());
            }
            else
            {
                recorder.RecordGoalObservation(t, observation);
            }
            if (step == 30)
            {
                break; // the final observation has no action
            }
            float[] action = [(float)(random.NextDouble() * 2 - 1), (float)(random.NextDouble() * 2 - 1), (float)(random.NextDouble() * 2 - 1)];
            recorder.RecordAction(t, action);
            var result = env.Step(action);
            recorder.RecordReward(t, result.Reward);
            observation = result.Observation;
        }
        recorder.EndEpisode(30 * Period, terminated: false, truncated: true, reason: "time_limit");
        return path;
    }

    [Fact]
    public void Replaying_on_the_same_env_and_seed_reproduces_every_observation_exactly()
    {
        var episode = Assert.Single(EpisodeBagReader.Read(RecordPointMassEpisode(seed: 11), Origin));
        using var env = new PointMassGoalEnv();

        var report = EpisodeReplayer.Replay(env, episode);

        Assert.Equal(30, report.ActionsReplayed);
        Assert.Equal(31, report.Steps.Count);
        Assert.All(report.Steps, s => Assert.Equal((0.0, 0.0, 0.0), (s.Observation, s.AchievedGoal, s.DesiredGoal)));
        Assert.Null(report.StoppedEarly);
        Assert.Null(report.FirstStepBeyond(1e-12));
    }

    [Fact]
    public void A_recording_that_drifts_from_the_twin_is_reported_from_the_step_it_starts()
    {
        var episode = Assert.Single(EpisodeBagReader.Read(RecordPointMassEpisode(seed: 12, drift: 0.02), Origin));
        using var env = new PointMassGoalEnv();

        var report = EpisodeReplayer.Replay(env, episode);

        Assert.Equal(10, report.FirstStepBeyond(0.01));
        Assert.Equal(0.02, report.MaxAchievedGoal, 9);
        Assert.Equal(0.02, report.FinalAchievedGoal, 9);
        Assert.Equal(0.0, report.MaxObservation);
        string text = report.ToText();
        Assert.Contains("30 actions replayed", text);
        Assert.Contains("max 0.02 m", text);
    }

    [Fact]
    public void Replaying_with_another_seed_than_recorded_diverges_at_once()
    {
        var recorded = Assert.Single(EpisodeBagReader.Read(RecordPointMassEpisode(seed: 13), Origin));
        var wrongSeed = recorded with { Info = recorded.Info with { Seed = 14 } };
        using var env = new PointMassGoalEnv();

        var report = EpisodeReplayer.Replay(env, wrongSeed);

        Assert.True(report.Steps[0].DesiredGoal > 0, "a different seed samples a different goal");
    }

    [Fact]
    public void Actions_of_another_task_are_refused_with_the_step_named()
    {
        var episode = Assert.Single(EpisodeBagReader.Read(RecordPointMassEpisode(seed: 15), Origin));
        var steps = episode.Steps.ToList();
        steps[0] = steps[0] with { Action = [0.1, 0.2, 0.3, 0.4] }; // a FetchReach action has 4 values
        using var env = new PointMassGoalEnv();

        var error = Assert.Throws<ArgumentException>(() => EpisodeReplayer.Replay(env, episode with { Steps = steps }));
        Assert.Contains("step 0", error.Message);
    }
}
