using RobotBridge.Gym;
using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;
using RobotBridge.Gym.Vector;

namespace RobotBridge.Tests.Gym;

/// <summary>The README's Gym example, kept compiling and running.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void The_readme_example_runs()
    {
        using var env = EnvRegistry.Default.Make<DictValue, float[]>("PointMassGoal-v0");
        var (obs, info) = env.Reset(seed: 1);
        var (next, reward, terminated, truncated, stepInfo) = env.Step([0.5f, 0f, -0.2f]);
        double[] goal = next.DesiredGoal();
        bool success = stepInfo.Get(InfoKeys.IsSuccess);
        Assert.Equal(3, goal.Length);
        Assert.Equal(success ? 0.0 : -1.0, reward);
        Assert.False(terminated || truncated);
        Assert.NotNull(obs);
        Assert.NotNull(info);

        using var vec = EnvRegistry.Default.MakeVec<DictValue, float[]>("PointMassGoal-v0", 8, mode: VectorizationMode.Threaded);
        vec.Reset(seed: 1);
        ((ArrayBatch<float>)vec.Actions).Data.AsSpan().Fill(0.1f);
        vec.Step();
        Assert.Equal(8, vec.Rewards.Length);
        Assert.Equal(8 * 6, ((DictBatch)vec.Observations).Get<ArrayBatch<double>>("observation").Data.Length);
    }
}
