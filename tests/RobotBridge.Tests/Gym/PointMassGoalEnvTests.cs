using RobotBridge.Gym;
using RobotBridge.Gym.Envs;
using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Spaces;

namespace RobotBridge.Tests.Gym;

public class PointMassGoalEnvTests
{
    [Fact]
    public void Observation_has_the_goal_env_keys_and_lies_in_its_space()
    {
        using var env = new PointMassGoalEnv();
        var (obs, info) = env.Reset(seed: 1);
        Assert.Equal(["achieved_goal", "desired_goal", "observation"], obs.Keys);
        Assert.True(env.ObservationSpace.Contains(obs));
        Assert.Equal(6, obs.Observation().Length);
        Assert.Equal(3, obs.DesiredGoal().Length);
        Assert.False(info.Get(InfoKeys.IsSuccess));
    }

    [Fact]
    public void Driving_toward_the_goal_reaches_it_and_the_sparse_reward_turns_zero()
    {
        using var env = new PointMassGoalEnv();
        var (obs, _) = env.Reset(seed: 2, new Dictionary<string, object?> { ["goal"] = new[] { 0.1, -0.1, 0.05 } });
        var action = new float[3];
        StepResult<DictValue> step = default;
        for (int t = 0; t < 50; t++)
        {
            for (int i = 0; i < 3; i++)
                action[i] = (float)Math.Clamp((obs.DesiredGoal()[i] - obs.AchievedGoal()[i]) * 10, -1, 1);
            step = env.Step(action);
            obs = step.Observation;
        }
        Assert.Equal(0.0, step.Reward);
        Assert.True(step.Info.Get(InfoKeys.IsSuccess));
        Assert.Equal(TimeSpan.FromSeconds(50 * PointMassGoalEnv.Dt), step.Info.Get(InfoKeys.Timing).RobotTime);
    }

    [Fact]
    public void Batched_compute_reward_reproduces_step_rewards()
    {
        using var env = new PointMassGoalEnv(new PointMassGoalOptions { RewardType = GoalRewardType.Dense });
        var rng = new Random(4);
        env.Reset(seed: 4);
        var achieved = new List<double>();
        var desired = new List<double>();
        var rewards = new List<double>();
        for (int t = 0; t < 30; t++)
        {
            var s = env.Step(env.ActionSpace.Sample(rng));
            achieved.AddRange(s.Observation.AchievedGoal());
            desired.AddRange(s.Observation.DesiredGoal());
            rewards.Add(s.Reward);
        }
        var computed = new double[rewards.Count];
        env.ComputeReward(achieved.ToArray(), desired.ToArray(), [], computed);
        Assert.Equal(rewards, computed);
    }

    [Fact]
    public void Image_variant_adds_a_uint8_image_that_shows_the_goal()
    {
        using var env = new PointMassGoalEnv(new PointMassGoalOptions { ImageSize = 16 });
        var (obs, _) = env.Reset(seed: 3);
        var image = obs.Get<byte[]>("image");
        Assert.Equal(16 * 16 * 3, image.Length);
        Assert.True(env.ObservationSpace.Contains(obs));
        Assert.Contains(image.Chunk(3), px => px[0] == 0 && px[1] == 200);
    }

    [Fact]
    public void Step_allocates_nothing()
    {
        using var env = new PointMassGoalEnv();
        env.Reset(seed: 5);
        var action = new float[] { 0.3f, -0.2f, 0.1f };
        env.Step(action);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
            env.Step(action);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Use_after_dispose_is_a_clear_error()
    {
        var env = new PointMassGoalEnv();
        env.Dispose();
        Assert.Throws<ClosedEnvironmentException>(() => env.Reset());
    }
}
