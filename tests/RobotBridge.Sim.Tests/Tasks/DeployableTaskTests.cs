using RobotBridge.Gym;
using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;
using RobotBridge.Model;
using RobotBridge.Safety;
using RobotBridge.Tasks;
using Xunit.Abstractions;

namespace RobotBridge.Sim.Tests.Tasks;

/// <summary>
/// The deployable family (Fetch…Deploy-v1): deterministic with its supervisor, latency and noise on;
/// its streamed velocity commands pass the supervisor unchanged; the v4 observation layout and goals.
/// </summary>
public class DeployableTaskTests(ITestOutputHelper output)
{
    [Fact]
    public void Same_seed_gives_the_same_episode_bit_for_bit_with_supervisor_latency_and_noise()
    {
        // Push: object lag and object noise drawn from the episode's generator, joint noise and latency in
        // the twin, the supervisor in front; two fresh envs, same seed.
        double[] first = Episode("FetchPushDeploy-v1", seed: 7, steps: 30);
        double[] second = Episode("FetchPushDeploy-v1", seed: 7, steps: 30);
        Assert.Equal(first.Length, second.Length);
        for (int i = 0; i < first.Length; i++)
        {
            Assert.True(BitConverter.DoubleToInt64Bits(first[i]) == BitConverter.DoubleToInt64Bits(second[i]),
                $"value {i} differs: {first[i]:R} vs {second[i]:R}");
        }
        double[] other = Episode("FetchPushDeploy-v1", seed: 8, steps: 30);
        Assert.NotEqual(first, other);
    }

    [Theory]
    [InlineData("FetchReachDeploy-v1", FetchTaskKind.Reach)]
    [InlineData("FetchPushDeploy-v1", FetchTaskKind.Push)]
    public void A_scripted_episode_passes_the_supervisor_unchanged(string id, FetchTaskKind kind)
    {
        // The family's defaults: the supervisor in the loop, latency drawn from the measured range, joint noise.
        using var env = FetchTaskFixture.Make(id);
        ISafetyGuard guard = env.SafetyGuard() ?? throw new Xunit.Sdk.XunitException($"{id} runs without a supervisor by default");
        var controller = FetchEnvs.ScriptedFor(id)!;
        var action = new float[4];
        var (obs, _) = env.Reset(seed: 0);
        controller.Reset();
        var before = guard.Counters;
        bool success = false;
        int steps = 0;
        while (true)
        {
            controller.Act(obs, action);
            var step = env.Step(action);
            obs = step.Observation;
            steps++;
            success = step.Info.Get(InfoKeys.IsSuccess);
            Assert.False(step.Terminated, $"a safety stop ended the episode: {step.Info.Get(SafetyInfoKeys.Safety)}");
            if (step.Done)
            {
                break;
            }
        }
        var after = guard.Counters;
        output.WriteLine($"{id}: {steps} steps, success {success}, forwarded {after.Forwarded - before.Forwarded}, clamped {after.Clamped - before.Clamped}");
        Assert.Equal(FetchEnvs.MaxEpisodeSteps, steps);
        Assert.True(after.Forwarded - before.Forwarded >= steps, "the steps' goals did not reach the supervisor");
        Assert.Equal(0, after.Clamped - before.Clamped);
        Assert.Equal(0, after.Rejected - before.Rejected);
        Assert.Equal(0, after.StopsIssued - before.StopsIssued);
        if (kind == FetchTaskKind.Reach)
        {
            Assert.True(success, "the scripted controller did not reach the goal");
        }
    }

    [Fact]
    public void Observation_action_and_reward_are_the_v4_tasks()
    {
        foreach (FetchTaskKind kind in Enum.GetValues<FetchTaskKind>())
        {
            using var v4 = FetchTaskFixture.Make($"Fetch{kind}-v4");
            using var deploy = FetchTaskFixture.Make($"Fetch{kind}Deploy-v1");
            Assert.Equal(v4.ObservationSpace.ToString(), deploy.ObservationSpace.ToString());
            Assert.Equal(v4.ActionSpace.ToString(), deploy.ActionSpace.ToString());
            Assert.Equal(FetchEnvs.MaxEpisodeSteps, FetchTaskFixture.Registry.Spec($"Fetch{kind}Deploy-v1").MaxEpisodeSteps);
            // Same goal for the same seed: the goals and objects are drawn as in v4, around the same centre.
            var (a, _) = v4.Reset(seed: 3);
            var (b, _) = deploy.Reset(seed: 3);
            Assert.Equal(a.DesiredGoal(), b.DesiredGoal());
        }
    }

    [Fact]
    public void A_full_action_moves_the_grip_at_most_at_the_family_speed_and_keeps_it_moving()
    {
        using var env = FetchTaskFixture.Make("FetchReachDeploy-v1");
        var (obs, _) = env.Reset(seed: 0);
        double start = obs.Observation()[1];
        var steps = new List<double>();
        double previous = start;
        for (int t = 0; t < 8; t++)
        {
            double y = env.Step([0, 1, 0, 0]).Observation.Observation()[1];
            steps.Add(y - previous);
            previous = y;
        }
        output.WriteLine($"grip y per step (mm): {string.Join(", ", steps.Select(s => (1000 * s).ToString("F1")))}");
        double limit = FetchTaskSpec.DeployableGripSpeed * FetchTaskSpec.DeployablePeriod.TotalSeconds;
        // The arm lags its reference and catches up a little (measured 21.8 mm in one step), but never
        // faster than the supervisor's Cartesian cap; and it keeps going step after step instead of
        // braking to a stop each period.
        double cap = SafetyConfig.Default().MaxCartesianSpeed * FetchTaskSpec.DeployablePeriod.TotalSeconds;
        Assert.All(steps, s => Assert.True(s <= cap, $"a step of {s * 1000:F1} mm exceeds the supervisor's {cap * 1000:F0} mm"));
        Assert.All(steps.Skip(3), s => Assert.True(s > 0.5 * limit, $"the arm slowed to {s * 1000:F1} mm per step under a sustained action"));
    }

    [Fact]
    public void Object_tasks_start_beside_the_region_and_reach_starts_where_v4_does()
    {
        using var push = FetchTaskFixture.Make("FetchPushDeploy-v1");
        var (obs, _) = push.Reset(seed: 1);
        double[] o = obs.Observation();
        Vec3 start = FetchTaskSpec.DeployableObjectStart;
        Assert.InRange(o[0], start.X - 0.01, start.X + 0.01);
        Assert.InRange(o[1], start.Y - 0.01, start.Y + 0.01);
        Vec3 centre = FetchTaskSpec.For(FetchTaskKind.Push).StartGripPosition;
        Assert.InRange(o[3], centre.X - 0.16, centre.X + 0.16);
        Assert.InRange(o[4], centre.Y - 0.16, centre.Y + 0.16);

        using var reach = FetchTaskFixture.Make("FetchReachDeploy-v1");
        double[] r = reach.Reset(seed: 1).Observation.Observation();
        Vec3 v4 = FetchTaskSpec.For(FetchTaskKind.Reach).StartGripPosition;
        Assert.InRange(r[1], v4.Y - 0.01, v4.Y + 0.01);
    }

    [Fact]
    public void The_family_refuses_an_arm_motion_and_a_bad_latency_naming_the_option()
    {
        var motion = Assert.Throws<InvalidEnvArgumentException>(() =>
            FetchTaskFixture.Make("FetchReachDeploy-v1", new EnvOptions().With(FetchEnvs.ArmMotionOption, "direct")));
        Assert.Contains("arm_motion", motion.Message);
        var latency = Assert.Throws<InvalidEnvArgumentException>(() =>
            FetchTaskFixture.Make("FetchReachDeploy-v1", new EnvOptions().With(FetchEnvs.LatencyOption, "huge")));
        Assert.Contains("latency", latency.Message);
        Assert.Contains("measured", latency.Message);
    }

    private static double[] Episode(string id, int seed, int steps)
    {
        using var env = FetchTaskFixture.Make(id);
        var controller = FetchEnvs.ScriptedFor(id)!;
        var action = new float[4];
        var values = new List<double>();
        var (obs, _) = env.Reset(seed: seed);
        controller.Reset();
        values.AddRange(obs.Observation());
        values.AddRange(obs.DesiredGoal());
        for (int t = 0; t < steps; t++)
        {
            controller.Act(obs, action);
            obs = env.Step(action).Observation;
            values.AddRange(obs.Observation());
            values.AddRange(obs.AchievedGoal());
        }
        return [.. values];
    }
}
