using RobotBridge.Gym.Envs;
using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Spaces;
using RobotBridge.Learning.Envs;
using RobotBridge.Learning.Evaluation;
using RobotBridge.Learning.Policies;
using RobotBridge.Learning.Sac;
using TorchSharp;

namespace RobotBridge.Learning.Tests.Learning;

/// <summary>The SAC+HER options that make object tasks learnable on one core: demonstrations,
/// fractional gradient-step rates, random-action exploration, and the normaliser's std floor.</summary>
public class SacHerExplorationTests
{
    /// <summary>Heads straight for the goal at full speed: the point mass's scripted solution.</summary>
    private sealed class GoalSeeker : IDemonstrator
    {
        public int Episodes { get; private set; }

        public void BeginEpisode() => Episodes++;

        public void Act(DictValue observation, Span<float> action)
        {
            double[] position = observation.Observation(), goal = observation.DesiredGoal();
            for (int i = 0; i < 3; i++)
                action[i] = (float)Math.Clamp((goal[i] - position[i]) / (PointMassGoalEnv.MaxSpeed * PointMassGoalEnv.Dt), -1, 1);
        }
    }

    private static SacHerConfig Small => new() { Seed = 5, Threads = 1, BufferTransitions = 20_000, BatchSize = 32, HiddenSizes = [16, 16] };

    [Fact]
    public void Demonstrations_fill_the_buffer_before_the_agent_acts_and_count_as_env_steps()
    {
        using var env = new PointMassGoalEnv();
        var demonstrator = new GoalSeeker();
        using var trainer = new SacHerTrainer(env, "PointMassGoal-v0", Small with { DemonstrationEpisodes = 10, DemonstrationBatchSize = 16, LearningStarts = 100_000 }, demonstrator);

        trainer.Train(1);

        Assert.Equal(10, demonstrator.Episodes);
        Assert.Equal(10, trainer.DemonstrationBuffer!.Episodes);
        Assert.Equal(0, trainer.Buffer.Episodes);
        Assert.Equal(10 * 50, trainer.Steps);
        Assert.Equal(0, trainer.Episodes); // the agent's own episodes: none yet
        Assert.True(trainer.DemonstrationSuccesses >= 9, $"{trainer.DemonstrationSuccesses}/10 demonstrations succeeded");
        // The stored first action is the demonstrator's, mapped into the policy's [-1, 1] units.
        var start = trainer.DemonstrationBuffer.ObservationRow(0, 0);
        var goal = trainer.DemonstrationBuffer.DesiredRow(0, 0);
        var action = trainer.DemonstrationBuffer.ActionRow(0, 0);
        for (int i = 0; i < 3; i++)
        {
            float expected = (float)Math.Clamp((goal[i] - start[i]) / (PointMassGoalEnv.MaxSpeed * PointMassGoalEnv.Dt), -1, 1);
            Assert.Equal(expected, action[i], 1e-5f);
        }

        trainer.Train(trainer.Steps + 50);
        Assert.Equal(10, demonstrator.Episodes); // only a fresh run is demonstrated
        Assert.Equal(1, trainer.Episodes);
        Assert.Equal(1, trainer.Buffer.Episodes);

        // A checkpoint keeps the demonstrations, also for a resumed run that is not told about them.
        string path = Path.Combine(Directory.CreateTempSubdirectory("rb-demo-ckpt-").FullName, "c.rbckpt");
        trainer.SaveCheckpoint(path);
        using var resumedEnv = new PointMassGoalEnv();
        using var resumed = new SacHerTrainer(resumedEnv, "PointMassGoal-v0", Small with { LearningStarts = 100_000 });
        resumed.LoadCheckpoint(path);
        Assert.Equal(10, resumed.DemonstrationBuffer?.Episodes);
        Assert.Equal(1, resumed.Buffer.Episodes);
        Assert.Equal(trainer.DemonstrationBuffer.ActionRow(3, 7).ToArray(), resumed.DemonstrationBuffer!.ActionRow(3, 7).ToArray());
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    [Fact]
    public void A_checkpoint_keeps_the_optimizers_so_a_resumed_run_continues_them()
    {
        using var env = new PointMassGoalEnv();
        var config = new SacHerConfig { Seed = 4, Threads = 1, LearningStarts = 100, BufferTransitions = 10_000, BatchSize = 32, HiddenSizes = [16, 16] };
        using var trainer = new SacHerTrainer(env, "PointMassGoal-v0", config);
        trainer.Train(300);
        string path = Path.Combine(Directory.CreateTempSubdirectory("rb-adam-ckpt-").FullName, "c.rbckpt");
        trainer.SaveCheckpoint(path);

        using var resumedEnv = new PointMassGoalEnv();
        using var resumed = new SacHerTrainer(resumedEnv, "PointMassGoal-v0", config);
        Assert.Equal(0, resumed.Learner.Updates);
        resumed.LoadCheckpoint(path);
        Assert.True(trainer.Learner.Updates >= 150, $"{trainer.Learner.Updates} gradient steps before the checkpoint");
        Assert.Equal(trainer.Learner.Updates, resumed.Learner.Updates);
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    [Fact]
    public void Demonstrations_with_q_filtered_cloning_speed_up_learning()
    {
        // Behaviour-cloning weight 20: with weight 1 the same run reached 28 %, with 5 46 %.
        // Same seed, same number of the agent's own steps (1000: 900 gradient steps after the warm-up), with and
        // without 20 demonstrated episodes.
        double SuccessAfter1000OwnSteps(int demonstrations)
        {
            using var env = new PointMassGoalEnv();
            using var trainer = new SacHerTrainer(env, "PointMassGoal-v0",
                new SacHerConfig
                {
                    Seed = 3, Threads = 1, LearningStarts = demonstrations * 50 + 100, BufferTransitions = 20_000, DemonstrationEpisodes = demonstrations,
                    DemonstrationBatchSize = demonstrations > 0 ? 64 : 0, BehaviourCloningWeight = demonstrations > 0 ? 20 : 0
                },
                demonstrations > 0 ? new GoalSeeker() : null);
            trainer.Train(demonstrations * 50 + 1000);
            if (demonstrations > 0)
            {
                Assert.True(trainer.LatestLosses["q_filter"] > 0, "the Q-filter kept no demonstration");
                Assert.True(trainer.LatestLosses.ContainsKey("bc"));
            }
            using var evalEnv = new PointMassGoalEnv();
            return PolicyEvaluator.Evaluate(trainer.Policy, evalEnv, episodes: 50, seed: 1000).SuccessRate;
        }

        double without = SuccessAfter1000OwnSteps(0), with = SuccessAfter1000OwnSteps(20);
        Assert.True(with >= 0.6 && with > without + 0.3, $"success with demonstrations {with:P0}, without {without:P0}");
    }

    [Fact]
    public void Demonstrations_without_a_batch_of_their_own_join_the_agents_buffer()
    {
        using var env = new PointMassGoalEnv();
        using var trainer = new SacHerTrainer(env, "PointMassGoal-v0", Small with { DemonstrationEpisodes = 4, LearningStarts = 100_000 }, new GoalSeeker());
        trainer.Train(4 * 50 + 50);
        Assert.Null(trainer.DemonstrationBuffer);
        Assert.Equal(5, trainer.Buffer.Episodes); // 4 demonstrated + 1 of the agent's
        Assert.Equal(1, trainer.Episodes);
    }

    [Fact]
    public void Behaviour_cloning_without_demonstrations_kept_apart_is_refused()
    {
        using var env = new PointMassGoalEnv();
        var e = Assert.Throws<ArgumentException>(() => new SacHerTrainer(env, "PointMassGoal-v0",
            Small with { DemonstrationEpisodes = 3, BehaviourCloningWeight = 1 }, new GoalSeeker()));
        Assert.Contains("demonstration batch size above 0", e.Message);
    }

    [Fact]
    public void Demonstrations_without_a_demonstrator_are_refused()
    {
        using var env = new PointMassGoalEnv();
        var e = Assert.Throws<ArgumentException>(() => new SacHerTrainer(env, "PointMassGoal-v0", Small with { DemonstrationEpisodes = 3 }));
        Assert.Contains("no demonstrator", e.Message);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_random_action_probability_outside_0_to_1_is_refused(double p)
    {
        using var env = new PointMassGoalEnv();
        Assert.Throws<ArgumentOutOfRangeException>(() => new SacHerTrainer(env, "PointMassGoal-v0", Small with { RandomActionProbability = p }));
    }

    [Fact]
    public void A_fractional_gradient_step_rate_carries_its_remainder()
    {
        using var env = new PointMassGoalEnv();
        using var trainer = new SacHerTrainer(env, "PointMassGoal-v0", Small with { LearningStarts = 100, GradientStepsPerEnvStep = 0.25 });

        trainer.Train(500);

        // Steps 100..500 learn: 401 × 0.25 = 100.25 → 100 gradient steps, the quarter carried on.
        Assert.Equal(500, trainer.Steps);
        Assert.Equal(100, trainer.GradientSteps);
    }

    [Fact]
    public void Random_actions_replace_the_given_share_of_policy_actions()
    {
        // The policy is pinned to act +1 on every axis (mean bias 10 → tanh ≈ 1); uniform random
        // actions are above 0.99 only 0.5 % of the time. The share of pinned actions shows which acted.
        static double ShareOfPolicyActions(double probability)
        {
            using var env = new PointMassGoalEnv();
            using var trainer = new SacHerTrainer(env, "PointMassGoal-v0", Small with { LearningStarts = 0, GradientStepsPerEnvStep = 0, RandomActionProbability = probability });
            using (torch.no_grad())
            {
                foreach (var (name, p) in trainer.Policy.named_parameters())
                {
                    if (name == "mean.bias") p.fill_(10);
                    if (name == "mean.weight") p.zero_();
                }
            }
            trainer.Train(2000);
            int pinned = 0, total = 0;
            for (int e = 0; e < trainer.Buffer.Episodes; e++)
                for (int t = 0; t < trainer.Buffer.Length(e); t++, total++)
                    pinned += trainer.Buffer.ActionRow(e, t)[0] > 0.99f ? 1 : 0;
            return (double)pinned / total;
        }

        Assert.True(ShareOfPolicyActions(0.0) > 0.99);
        Assert.InRange(ShareOfPolicyActions(0.3), 0.64, 0.76);
        Assert.True(ShareOfPolicyActions(1.0) < 0.02);
    }

    [Fact]
    public void The_normaliser_floor_keeps_a_nearly_constant_input_small()
    {
        var rng = new Random(2);
        var rows = new float[2000 * 2];
        for (int r = 0; r < 2000; r++)
        {
            rows[2 * r] = 0.5f + (float)(rng.NextDouble() - 0.5) * 1e-3f; // a blocked finger's jitter (std 0.3 mm)
            rows[2 * r + 1] = (float)(rng.NextDouble() - 0.5);           // a real signal
        }
        float JitterAfterNormalising(double minStd)
        {
            using var normalizer = new RunningNormalizer("n", 2, minStd: minStd);
            normalizer.Update(rows, 2000);
            using var x = torch.tensor(new float[] { 0.5f + 5e-4f, 0.25f }, 1, 2);
            using var y = normalizer.forward(x);
            return y.data<float>()[0];
        }

        Assert.True(Math.Abs(JitterAfterNormalising(0.0)) > 0.5f, "without a floor the jitter becomes unit-scale noise");
        Assert.True(Math.Abs(JitterAfterNormalising(PolicyInputs.DefaultNormalizerMinStd)) < 0.1f, "with the floor it stays negligible");
        Assert.Throws<ArgumentOutOfRangeException>(() => new RunningNormalizer("n", 2, minStd: -1));
    }

    [Fact]
    public void New_policies_carry_the_floor_and_older_policy_headers_read_as_none()
    {
        using var env = new PointMassGoalEnv();
        var spec = PolicyInputs.SpecFor(env, "PointMassGoal-v0", "sac-her", [16]);
        Assert.Equal(PolicyInputs.DefaultNormalizerMinStd, spec.NormalizerMinStd);

        string older = spec.ToJson().Replace($",\"NormalizerMinStd\":{PolicyInputs.DefaultNormalizerMinStd}", "");
        Assert.DoesNotContain("NormalizerMinStd", older);
        Assert.Equal(0.0, PolicySpec.FromJson(older).NormalizerMinStd);
    }

    [Fact]
    public void Unit_actions_invert_env_units()
    {
        var spec = new PolicySpec { VectorSize = 2, ActionSize = 3, ActionLow = [-2f, 0f, float.NegativeInfinity], ActionHigh = [4f, 1f, float.PositiveInfinity] };
        using var policy = new SquashedGaussianPolicy(spec);
        var env = new float[3];
        var unit = new float[3];
        policy.ToEnvUnits([0.5f, -1f, 0.3f], env);
        Assert.Equal([2.5f, 0f, 0.3f], env);
        policy.ToUnitActions(env, unit);
        Assert.Equal([0.5f, -1f, 0.3f], unit);
        policy.ToUnitActions([9f, 0.5f, -7f], unit); // out of bounds: clipped, like the env clips
        Assert.Equal(new[] { 1f, 0f, -1f }, unit);
    }
}
