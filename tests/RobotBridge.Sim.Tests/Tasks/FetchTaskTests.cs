using RobotBridge.Gym;
using RobotBridge.Gym.Checking;
using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Registration;
using RobotBridge.Tasks;
using RobotBridge.Safety;

namespace RobotBridge.Sim.Tests.Tasks;

public class FetchTaskTests
{
    public static TheoryData<string> AllIds() => [.. FetchEnvs.Ids];

    [Theory]
    [MemberData(nameof(AllIds))]
    public void Env_checker_passes_the_task_on_the_twin(string id)
    {
        using var env = FetchTaskFixture.Make(id);
        EnvCheckReport report = EnvChecker.Check(env);
        Assert.True(report.Passed, report.ToString());
    }

    [Fact]
    public void Every_Fetch_id_is_registered_with_a_50_step_limit()
    {
        foreach (string id in FetchEnvs.Ids)
        {
            Assert.Equal(FetchEnvs.MaxEpisodeSteps, FetchTaskFixture.Registry.Spec(id).MaxEpisodeSteps);
        }
        Assert.Equal(16, FetchEnvs.Ids.Count); // 4 tasks × sparse, dense, sparse camera, dense camera
    }

    [Fact]
    public void Observation_layout_matches_gymnasium_robotics()
    {
        using var reach = FetchTaskFixture.Make("FetchReach-v4");
        var (obs, _) = reach.Reset(seed: 3);
        Assert.Equal(10, obs.Observation().Length);
        Assert.Equal(obs.Observation()[..3], obs.AchievedGoal());

        using var push = FetchTaskFixture.Make("FetchPush-v4");
        var (pushObs, _) = push.Reset(seed: 3);
        double[] o = pushObs.Observation();
        Assert.Equal(25, o.Length);
        Assert.Equal(o[3..6], pushObs.AchievedGoal());
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(o[3 + i] - o[i], o[6 + i], 12); // relative object position
        }
        // The cube rests on the table at the start, at least 10 cm from the gripper in xy.
        Assert.InRange(o[5], 0.41, 0.44);
        Assert.True(Math.Sqrt(o[6] * o[6] + o[7] * o[7]) >= 0.1 - 1e-6);
    }

    [Fact]
    public void An_action_moves_the_grip_site_the_commanded_way_through_IK()
    {
        using var env = FetchTaskFixture.Make("FetchReach-v4");
        var (obs, _) = env.Reset(seed: 1);
        double[] start = (double[])obs.Observation()[..3].Clone();
        for (int i = 0; i < 5; i++)
        {
            obs = env.Step([1f, 0f, 0f, 0f]).Observation;
        }
        double[] end = obs.Observation();
        Assert.True(end[0] - start[0] > 0.05, $"x moved {end[0] - start[0]:F4} m for 5 steps of +x");
        Assert.True(Math.Abs(end[1] - start[1]) < 0.02 && Math.Abs(end[2] - start[2]) < 0.02,
            $"y/z drifted by {end[1] - start[1]:F4}/{end[2] - start[2]:F4} m");
    }

    [Fact]
    public void Same_seed_gives_the_same_trajectory_bit_for_bit()
    {
        double[] Run()
        {
            using var env = FetchTaskFixture.Make("FetchPush-v4");
            var (obs, _) = env.Reset(seed: 11);
            var rng = new Random(5);
            var trace = new List<double>();
            for (int t = 0; t < 20; t++)
            {
                float[] a = [(float)(rng.NextDouble() * 2 - 1), (float)(rng.NextDouble() * 2 - 1), (float)(rng.NextDouble() * 2 - 1), 0f];
                obs = env.Step(a).Observation;
                trace.AddRange(obs.Observation());
            }
            return [.. trace];
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void Compute_reward_reproduces_step_rewards_sparse_and_dense()
    {
        foreach (string id in new[] { "FetchReach-v4", "FetchReachDense-v4" })
        {
            using var env = FetchTaskFixture.Make(id);
            var goalEnv = (IGoalEnv)env.Unwrapped;
            var (obs, _) = env.Reset(seed: 2);
            for (int t = 0; t < 10; t++)
            {
                var step = env.Step([0.5f, -0.3f, 0.2f, 0f]);
                var rewards = new double[1];
                goalEnv.ComputeReward(step.Observation.AchievedGoal(), step.Observation.DesiredGoal(), [], rewards);
                Assert.Equal(step.Reward, rewards[0]);
            }
        }
    }

    [Fact]
    public void A_nan_action_is_refused_with_a_clear_error_and_stops_the_robot()
    {
        using var env = FetchTaskFixture.Make("FetchReach-v4");
        env.Reset(seed: 0);
        var error = Assert.Throws<InvalidEnvArgumentException>(() => env.Step([float.NaN, 0, 0, 0]));
        Assert.Contains("element 0", error.Message);
    }

    [Fact]
    public void Info_carries_timing_latency_and_safety()
    {
        using var env = FetchTaskFixture.Make("FetchReach-v4", new EnvOptions().With("safety", true));
        env.Reset(seed: 0);
        var step = env.Step([0f, 0f, 0f, 0f]);
        StepTiming timing = step.Info.Get(InfoKeys.Timing);
        Assert.Equal(FetchTaskSpec.Period, timing.Period);
        Assert.True(timing.RobotTime > TimeSpan.Zero);
        Assert.InRange(step.Info.Get(FetchTaskInfoKeys.CommandLatency), TimeSpan.Zero, FetchTaskSpec.Period);
        Assert.False(step.Info.Get(SafetyInfoKeys.Safety).IsStopped);
    }

    [Fact]
    public void A_safety_stop_terminates_the_step_and_says_why()
    {
        using var env = FetchTaskFixture.Make("FetchReach-v4", new EnvOptions().With("safety", true));
        env.Reset(seed: 0);
        RobotBridge.Safety.ISafetyGuard supervisor = env.RequireSafetyGuard("the supervised Reach env");
        supervisor.Latch.Trip(RobotBridge.Safety.EStopSource.Software("test"), "operator pressed stop");
        var step = env.Step([1f, 0f, 0f, 0f]);
        Assert.True(step.Terminated);
        Assert.Contains("operator pressed stop", step.Info.Get(SafetyInfoKeys.Safety).ToString());
    }

    [Fact]
    public void Camera_variant_observes_an_84x84_image_of_the_workspace()
    {
        using var env = FetchTaskFixture.Make("FetchPushCamera-v4");
        var (obs, _) = env.Reset(seed: 4);
        obs = env.Step([0f, 0f, 0f, 0f]).Observation;
        byte[] image = obs.Get<byte[]>(FetchTaskEnv.ImageKey);
        Assert.Equal(84 * 84 * 3, image.Length);
        // Not blank: the table, the arm and the cube give the image real contrast.
        Assert.True(image.Max() - image.Min() > 60, $"image range {image.Min()}..{image.Max()}");
    }

    [Fact]
    public void Dense_camera_variant_rewards_minus_the_distance_and_observes_the_image()
    {
        using var env = FetchTaskFixture.Make("FetchReachDenseCamera-v4");
        env.Reset(seed: 5);
        var step = env.Step([0.4f, 0.2f, -0.1f, 0f]);
        double distance = Math.Sqrt(step.Observation.AchievedGoal().Zip(step.Observation.DesiredGoal(), (a, d) => (a - d) * (a - d)).Sum());
        Assert.Equal(-distance, step.Reward, 12);
        Assert.Equal(84 * 84 * 3, step.Observation.Get<byte[]>(FetchTaskEnv.ImageKey).Length);
    }

    [Fact]
    public void Scripted_controller_solves_Reach()
    {
        double rate = FetchTaskFixture.ScriptedSuccessRate("FetchReach-v4", FetchTaskKind.Reach, episodes: 200);
        Assert.True(rate >= 0.99, $"scripted Reach success {rate:P1}");
    }

    [Fact]
    public void Scripted_controller_solves_Push()
    {
        // 50 seeded episodes (92 % measured); the 200-episode figure is `robotbridge bench tasks`.
        // The bound leaves room for floating-point differences between CPUs.
        double rate = FetchTaskFixture.ScriptedSuccessRate("FetchPush-v4", FetchTaskKind.Push, episodes: 50);
        Assert.True(rate >= 0.85, $"scripted Push success {rate:P1}");
    }

    [Fact]
    public void Scripted_controller_solves_PickAndPlace()
    {
        // 50 seeded episodes (98 % measured); the 200-episode figure is `robotbridge bench tasks`.
        // The bound leaves room for floating-point differences between CPUs.
        double rate = FetchTaskFixture.ScriptedSuccessRate("FetchPickAndPlace-v4", FetchTaskKind.PickAndPlace, episodes: 50);
        Assert.True(rate >= 0.88, $"scripted PickAndPlace success {rate:P1}");
    }
}
