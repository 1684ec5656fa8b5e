using RobotBridge.Gym;
using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Spaces;
using RobotBridge.Recording;
using RobotBridge.Cli.Commands;
using RobotBridge.Recording.Replay;

namespace RobotBridge.Cli.Tests.Replay;

public sealed class ReplayCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("robotbridge-replay-cli-").FullName;
    private static readonly DateTimeOffset Origin = new(2026, 11, 27, 20, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(40);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static (int Code, string Output, string Error) Run(params string[] args) => CliInvocation.Run(args);

    /// <summary>Records <paramref name="episodes"/> episodes of 20 steps of a registered goal env;
    /// the recorded achieved goal is shifted by <paramref name="drift"/> m from step 5 of each.</summary>
    private string Record(string task, int episodes, double drift = 0)
    {
        string path = Path.Combine(_directory, $"{task}-{episodes}-{drift}.bag");
        using var recorder = EpisodeRecorder.Create(path, Origin);
        using var env = GymEnvs.Make<DictValue, float[]>(task);
        var random = new Random(3);
        TimeSpan t = TimeSpan.Zero;
        for (int e = 0; e < episodes; e++)
        {
            recorder.BeginEpisode(t, new EpisodeInfo(EpisodeSource.Eval, task, e, 100 + e, "twin", Period));
            var (observation, _) = env.Reset(100 + e);
            for (int step = 0; ; step++, t += Period)
            {
                double[] achieved = (double[])observation.AchievedGoal().Clone();
                if (step >= 5)
                {
                    achieved[2] += drift;
                }
                recorder.RecordObservation(t, observation.Observation());
                recorder.RecordGoals(t, achieved, observation.DesiredGoal());
                if (step == 20)
                {
                    break;
                }
                float[] action = [(float)random.NextDouble(), -(float)random.NextDouble(), 0.5f];
                recorder.RecordAction(t, action);
                observation = env.Step(action).Observation;
            }
            recorder.EndEpisode(t, false, true, "time_limit");
            t += Period;
        }
        return path;
    }

    [Fact]
    public void Replay_of_a_twin_recording_reports_zero_divergence_for_every_episode()
    {
        string bag = Record("PointMassGoal-v0", episodes: 2);

        var (code, output, error) = Run("replay", bag, "--every", "5");

        Assert.True(code == 0, error);
        Assert.Contains("episode 0 of PointMassGoal-v0 (seed 100, recorded on twin): 20 actions replayed", output);
        Assert.Contains("episode 1 of PointMassGoal-v0 (seed 101, recorded on twin): 20 actions replayed", output);
        Assert.Equal(2, output.Split("achieved_goal divergence max 0 m, mean 0 m, final 0 m").Length - 1);
    }

    [Fact]
    public void Divergence_beyond_the_limit_fails_with_exit_code_3_and_names_the_step()
    {
        string bag = Record("PointMassGoal-v0", episodes: 1, drift: 0.03);

        var (code, output, _) = Run("replay", bag, "--max-divergence", "0.02");

        Assert.Equal(ReplayCommand.Diverged, code);
        Assert.Contains("DIVERGED: achieved_goal divergence 0.03 m exceeds 0.02 m (first at step 5)", output);
    }

    [Fact]
    public void Episode_option_selects_one_episode_and_an_unknown_one_is_an_error()
    {
        string bag = Record("PointMassGoal-v0", episodes: 2);

        var (code, output, _) = Run("replay", bag, "--episode", "1");
        Assert.Equal(0, code);
        Assert.DoesNotContain("episode 0 of", output);
        Assert.Contains("episode 1 of", output);

        var (missing, _, error) = Run("replay", bag, "--episode", "7");
        Assert.Equal(ReplayCommand.InputError, missing);
        Assert.Contains("has no episode 7; it has 0, 1", error);
    }

    [Fact]
    public void A_bag_of_an_unregistered_task_or_a_non_bag_is_refused_clearly()
    {
        string bag = Path.Combine(_directory, "unknown-task.bag");
        using (var recorder = EpisodeRecorder.Create(bag, Origin))
        {
            recorder.BeginEpisode(TimeSpan.Zero, new EpisodeInfo(EpisodeSource.Deploy, "NoSuchTask-v9", 0, 1, "fetch", Period));
            recorder.RecordObservation(TimeSpan.Zero, [1, 2, 3]);
        }
        var (code, _, error) = Run("replay", bag);
        Assert.Equal(ReplayCommand.InputError, code);
        Assert.Contains("NoSuchTask-v9", error);

        string text = Path.Combine(_directory, "notes.txt");
        File.WriteAllText(text, "not a bag");
        var (badCode, _, badError) = Run("replay", text);
        Assert.Equal(ReplayCommand.InputError, badCode);
        Assert.Contains("#ROSBAG V2.0", badError);

        var (noFile, _, noFileError) = Run("replay", Path.Combine(_directory, "absent.bag"));
        Assert.Equal(Program.UsageError, noFile);
        Assert.Contains("absent.bag' does not exist", noFileError);
    }
}
