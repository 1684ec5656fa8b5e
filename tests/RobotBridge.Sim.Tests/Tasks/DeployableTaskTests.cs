using RobotBridge.Gym;
using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;
using RobotBridge.Model;
using RobotBridge.Robots;
using RobotBridge.Safety;
using RobotBridge.Sim.Tasks;
using RobotBridge.Tasks;
using Xunit.Abstractions;

namespace RobotBridge.Sim.Tests.Tasks;

/// <summary>
/// The deployable family (Fetch…Deploy-v1): deterministic with its supervisor, latency and noise on;
/// its streamed commands pass the supervisor unchanged and never leave its workspace; a zero action
/// stops the arm; latency drawn per episode; the v4 observation layout and goals.
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
        Assert.Equal(FetchEnvs.DeployableEpisodeSteps(kind), steps);
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
            Assert.Equal(FetchEnvs.DeployableEpisodeSteps(kind), FetchTaskFixture.Registry.Spec($"Fetch{kind}Deploy-v1").MaxEpisodeSteps);
            // Same goal for the same seed: the goals and objects are drawn as in v4, around the same centre.
            var (a, _) = v4.Reset(seed: 3);
            var (b, _) = deploy.Reset(seed: 3);
            Assert.Equal(a.DesiredGoal(), b.DesiredGoal());
        }
    }

    [Fact]
    public void A_full_action_keeps_the_arm_moving_and_a_zero_action_stops_it_where_it_is_seen()
    {
        // The step's target is the measured grip plus action x reach: no reference ahead of the arm that
        // the observation does not show, so "zero" means "stay here" whatever the arm did before.
        using var env = FetchTaskFixture.Make("FetchReachDeploy-v1");
        env.Reset(seed: 0);
        var steps = new List<double>();
        double[] grip = [];
        double previous = env.Reset(seed: 0).Observation.Observation()[1];
        for (int t = 0; t < 8; t++)
        {
            grip = env.Step([0, 1, 0, 0]).Observation.Observation();
            steps.Add(grip[1] - previous);
            previous = grip[1];
        }
        double stoppedAt = grip[1];
        var coasting = new List<double>();
        for (int t = 0; t < 10; t++)
        {
            coasting.Add(env.Step([0, 0, 0, 0]).Observation.Observation()[1]);
        }
        output.WriteLine($"grip y per step under +y (mm): {string.Join(", ", steps.Select(s => (1000 * s).ToString("F1")))}");
        output.WriteLine($"after the zero action, y - y at release (mm): {string.Join(", ", coasting.Select(y => (1000 * (y - stoppedAt)).ToString("F1")))}");
        // Keeps going step after step instead of braking each period (measured 9-11 mm per step with
        // Reach's 2 cm targets).
        Assert.All(steps.Skip(3), s => Assert.True(s > 0.007, $"the arm slowed to {s * 1000:F1} mm per step under a sustained action"));
        // Brakes at the joints' acceleration limits (about 12 mm from 0.1 m/s, measured) and then stays:
        // nothing hidden keeps pulling it on or back.
        Assert.All(coasting, y => Assert.InRange(y - stoppedAt, -0.005, 0.02));
        Assert.All(coasting.Skip(4).Zip(coasting.Skip(5)), p => Assert.InRange(p.Second - p.First, -0.001, 0.001));
    }

    [Theory]
    [InlineData("FetchPickAndPlaceDeploy-v1", 3)]  // reopened its fingers on a noisy pose until the end
    [InlineData("FetchPickAndPlaceDeploy-v1", 9)]  // realigned from above over and over
    [InlineData("FetchPushDeploy-v1", 19)]         // stood behind the cube where the arm cannot reach down
    public void The_scripted_demonstrators_succeed_where_they_used_to_fail_on_the_bare_twin(string id, int seed)
    {
        // The episodes `bench tasks --family deploy --robot bare` failed before the demonstrators were
        // made for the family's noisy, step-old object pose and its reach (PickAndPlace was 34/40, Push 34/40).
        using var env = FetchTaskFixture.Make(id, new EnvOptions().With(SimFetchBodyProvider.SafetyOption, false)
            .With(FetchEnvs.LatencyOption, "none").With(FetchEnvs.JointNoiseOption, 0.0));
        var controller = FetchEnvs.ScriptedFor(id)!;
        var action = new float[4];
        var (obs, _) = env.Reset(seed: seed);
        controller.Reset();
        while (true)
        {
            controller.Act(obs, action);
            var step = env.Step(action);
            obs = step.Observation;
            if (step.Done)
            {
                double[] a = obs.AchievedGoal(), g = obs.DesiredGoal();
                Assert.True(step.Info.Get(InfoKeys.IsSuccess), $"{id} seed {seed}: the object ended at ({a[0]:F3}, {a[1]:F3}, {a[2]:F3}), the goal is ({g[0]:F3}, {g[1]:F3}, {g[2]:F3})");
                return;
            }
        }
    }

    [Fact]
    public void The_scripted_reach_succeeds_in_every_seeded_episode_behind_the_supervisor_without_retiming()
    {
        // A perfect controller must not miss: before the target was taken from the measured grip, the
        // scripted Reach missed 1-2 of 20 (the arm ran on past the goal after reaching it).
        using var env = FetchTaskFixture.Make("FetchReachDeploy-v1");
        ISafetyGuard guard = env.SafetyGuard()!;
        var controller = FetchEnvs.ScriptedFor("FetchReachDeploy-v1")!;
        var action = new float[4];
        int successes = 0;
        const int episodes = 12;
        for (int e = 0; e < episodes; e++)
        {
            var (obs, _) = env.Reset(seed: 100 + e);
            while (true)
            {
                controller.Act(obs, action);
                var step = env.Step(action);
                obs = step.Observation;
                if (step.Done)
                {
                    successes += step.Info.Get(InfoKeys.IsSuccess) ? 1 : 0;
                    break;
                }
            }
        }
        var counters = guard.Counters;
        output.WriteLine($"{successes}/{episodes}, forwarded {counters.Forwarded}, clamped {counters.Clamped}, rejected {counters.Rejected}");
        Assert.Equal(episodes, successes);
        Assert.Equal(0, counters.Clamped);
        Assert.Equal(0, counters.Rejected);
    }

    [Fact]
    public void Random_and_table_ramming_actions_never_make_the_supervisor_reject_a_goal()
    {
        // Training explores everywhere: every goal it streams must stay inside the supervisor's workspace
        // (a rejection latches a stop that ends training). Push starts low; drive down and sideways hard.
        // The gripper pressed into the table must not drag the torso: the Fetch's is a leadscrew (a learned
        // Push run stopped itself on a torso dragged at 0.16 m/s, over 1.5 × its 0.1 m/s limit).
        using var env = FetchTaskFixture.Make("FetchPushDeploy-v1");
        ISafetyGuard guard = env.SafetyGuard()!;
        var rng = new Random(5);
        var state = new RobotState();
        int torso = FetchJoints.IndexOf(FetchJoints.TorsoLift);
        double fastestTorso = 0;
        for (int e = 0; e < 4; e++)
        {
            env.Reset(seed: e);
            for (int t = 0; t < 50; t++)
            {
                float[] action = e % 2 == 0
                    ? [(float)(2 * rng.NextDouble() - 1), (float)(2 * rng.NextDouble() - 1), (float)(2 * rng.NextDouble() - 1), 0]
                    : [t < 25 ? 1 : -1, t % 10 < 5 ? 1 : -1, -1, 0];
                var step = env.Step(action);
                Assert.False(step.Terminated, $"episode {e} step {t}: {step.Info.Get(SafetyInfoKeys.Safety)}");
                guard.Body.ReadState(state);
                fastestTorso = Math.Max(fastestTorso, Math.Abs(state.Velocity[torso]));
            }
        }
        var counters = guard.Counters;
        output.WriteLine($"forwarded {counters.Forwarded}, clamped {counters.Clamped}, rejected {counters.Rejected}; fastest torso {fastestTorso:F4} m/s");
        Assert.Equal(0, counters.Rejected);
        Assert.Equal(0, counters.StopsIssued);
        Assert.True(fastestTorso < 0.02, $"the torso was dragged at {fastestTorso:F3} m/s while the gripper rammed the table");
    }

    [Fact]
    public void Measured_latency_is_drawn_per_episode_from_its_seed()
    {
        using var env = FetchTaskFixture.Make("FetchReachDeploy-v1");
        var bySeed = new Dictionary<int, double>();
        foreach (int seed in new[] { 0, 1, 2, 3, 4, 5, 0, 3 })
        {
            env.Reset(seed: seed);
            double ms = env.Step([0, 0, 0, 0]).Info.Get(FetchTaskInfoKeys.CommandLatency).TotalMilliseconds;
            if (bySeed.TryGetValue(seed, out double first))
            {
                Assert.Equal(first, ms); // the same seed, the same latency
            }
            bySeed[seed] = ms;
        }
        output.WriteLine(string.Join(", ", bySeed.Select(kv => $"seed {kv.Key}: {kv.Value:F1} ms")));
        Assert.True(bySeed.Values.Distinct().Count() >= 3, "one env drew the same latency for every episode");
        for (double u = 0; u < 1; u += 0.05)
        {
            var (command, observation) = RobotBridge.Sim.Tasks.SimFetchBodyProvider.MeasuredLatency(u);
            Assert.InRange((command + observation).TotalMilliseconds, 18, 31);
        }
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

    [Fact]
    public void Streamed_targets_stay_inside_the_workspace_of_the_safety_config_the_env_runs_behind()
    {
        // docs/deploy.md step 4: the user narrows the box to the table area. The env used to keep its
        // targets inside the shipped box (floor z 0.3), so driving the gripper down was rejected by the
        // user's supervisor at z 0.44 (floor 0.42 + margin) and the deploy stopped.
        string path = Path.Combine(Path.GetTempPath(), $"rb-narrow-box-{Guid.NewGuid():N}.json");
        using (var embedded = typeof(SafetyConfig).Assembly.GetManifestResourceStream("RobotBridge.Safety.fetch-safety.json")!)
        using (var reader = new StreamReader(embedded))
        {
            var json = System.Text.Json.Nodes.JsonNode.Parse(reader.ReadToEnd())!;
            json["workspace"] = System.Text.Json.Nodes.JsonNode.Parse("""{"min":[-0.1,-0.5,0.42],"max":[1.0,0.5,1.2]}""");
            File.WriteAllText(path, json.ToJsonString());
        }
        try
        {
            using var env = FetchTaskFixture.Make("FetchReachDeploy-v1", new EnvOptions().With("safety_config", path));
            ISafetyGuard guard = env.SafetyGuard()!;
            Assert.Equal(0.42, guard.Config.Workspace.Min[2]);
            double lowest = double.MaxValue;
            env.Reset(seed: 0);
            for (int t = 0; t < 30; t++)
            {
                var step = env.Step([0, 0, -1, 0]);
                lowest = Math.Min(lowest, step.Observation.AchievedGoal()[2]);
                Assert.False(guard.Snapshot.IsStopped, $"step {t}: {guard.Snapshot}");
            }
            output.WriteLine($"lowest grip z {lowest:F3} m; {guard.Counters}");
            Assert.Equal(0, guard.Counters.Rejected);
            Assert.InRange(lowest, 0.42, 0.52); // went down to the box's floor, not beyond
        }
        finally
        {
            File.Delete(path);
        }
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
