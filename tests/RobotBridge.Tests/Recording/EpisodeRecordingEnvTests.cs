using RobotBridge.Gym;
using RobotBridge.Gym.Envs;
using RobotBridge.Gym.Spaces;
using RobotBridge.Gym.Wrappers;
using RobotBridge.Recording;
using RobotBridge.Recording.Replay;

namespace RobotBridge.Tests.Recording;

public sealed class EpisodeRecordingEnvTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("robotbridge-recording-env-").FullName;
    private static readonly DateTimeOffset Origin = new(2026, 11, 27, 22, 0, 0, TimeSpan.Zero);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Wrapper_records_each_episode_with_its_end_and_the_recording_replays_exactly()
    {
        string bag = Path.Combine(_directory, "wrapped.bag");
        using (var recorder = EpisodeRecorder.Create(bag, Origin))
        using (var env = new EpisodeRecordingEnv(new TimeLimit<DictValue, float[]>(new PointMassGoalEnv(), 12), recorder,
                   EpisodeSource.Eval, "PointMassGoal-v0", "twin", TimeSpan.FromSeconds(PointMassGoalEnv.Dt)))
        {
            var random = new Random(4);
            env.Reset(seed: 21);
            for (int episode = 0; episode < 2; episode++)
            {
                if (episode > 0)
                {
                    env.Reset(); // unseeded, as deploy does after the first episode
                }
                StepResult<DictValue> result;
                do
                {
                    result = env.Step([(float)random.NextDouble(), (float)random.NextDouble() - 0.5f, -0.3f]);
                }
                while (!result.Done);
            }
            env.Reset(); // a third episode that is never stepped: closed on dispose
        }

        var episodes = EpisodeBagReader.Read(bag, Origin);
        Assert.Equal(3, episodes.Count);
        Assert.Equal([21, null, null], episodes.Select(e => e.Info.Seed));
        Assert.Equal("end terminated=false truncated=true reason=truncated", episodes[0].EndEvent);
        Assert.Equal("end terminated=false truncated=true reason=closed", episodes[2].EndEvent);
        Assert.Equal(13, episodes[0].Steps.Count); // 12 steps + the final observation
        Assert.Equal(12, episodes[0].Steps.Count(s => s.Action is not null && s.Reward is not null));
        Assert.True(episodes[1].Start > episodes[0].Steps[^1].Time - TimeSpan.FromTicks(1));

        using var replayEnv = new PointMassGoalEnv();
        foreach (var episode in episodes.Take(2))
        {
            var report = EpisodeReplayer.Replay(replayEnv, episode);
            Assert.Equal(12, report.ActionsReplayed);
            Assert.Equal(0.0, report.MaxObservation);
            Assert.Equal(0.0, report.MaxAchievedGoal);
        }
    }
}
