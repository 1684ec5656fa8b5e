using RobotBridge.Gym;
using RobotBridge.Gym.Wrappers;

namespace RobotBridge.Tests.Gym.Wrappers;

public class RecordEpisodeStatisticsTests
{
    [Fact]
    public void Adds_return_and_length_on_the_last_step_only()
    {
        using var env = new RecordEpisodeStatistics<double[], float[]>(new ProbeEnv(terminateAfter: 4, reward: 0.5), bufferLength: 2);
        for (int episode = 0; episode < 3; episode++)
        {
            env.Reset(seed: episode);
            for (int t = 0; t < 3; t++)
                Assert.False(env.Step([0f, 0f]).Info.Contains(InfoKeys.Episode));
            var last = env.Step([0f, 0f]);
            var stats = last.Info.Get(InfoKeys.Episode);
            Assert.Equal(2.0, stats.Return);
            Assert.Equal(4, stats.Length);
        }
        Assert.Equal(3, env.EpisodeCount);
        Assert.Equal(2, env.ReturnQueue.Count);
        Assert.Equal([4, 4], env.LengthQueue);
    }
}
