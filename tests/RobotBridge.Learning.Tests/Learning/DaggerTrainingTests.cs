using RobotBridge.Gym;
using RobotBridge.Gym.Envs;
using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Spaces;
using RobotBridge.Gym.Wrappers;
using RobotBridge.Learning.Evaluation;
using RobotBridge.Learning.Imitation;
using RobotBridge.Learning.Sac;

namespace RobotBridge.Learning.Tests.Learning;

/// <summary>DAgger with a scripted expert: who acts in which round, who labels, what it learns, and its checkpoint.</summary>
public class DaggerTrainingTests
{
    /// <summary>Heads for the goal at full speed; counts its episodes and remembers its latest action.</summary>
    private sealed class GoalSeeker : IDemonstrator
    {
        public int Episodes { get; private set; }
        public int Labels { get; private set; }
        public float[] Latest { get; } = new float[3];

        public void BeginEpisode() => Episodes++;

        public void Act(DictValue observation, Span<float> action)
        {
            double[] position = observation.Observation(), goal = observation.DesiredGoal();
            for (int i = 0; i < 3; i++)
                action[i] = (float)Math.Clamp((goal[i] - position[i]) / (PointMassGoalEnv.MaxSpeed * PointMassGoalEnv.Dt), -1, 1);
            action[..3].CopyTo(Latest);
            Labels++;
        }
    }

    /// <summary>Counts the steps whose executed action is the expert's latest.</summary>
    private sealed class ExpertActionCounter(IEnv<DictValue, float[]> inner, GoalSeeker expert) : Wrapper<DictValue, float[]>(inner)
    {
        public int ExpertSteps { get; private set; }
        public int Steps { get; private set; }

        public override StepResult<DictValue> Step(float[] action)
        {
            Steps++;
            if (action.AsSpan(0, 3).SequenceEqual(expert.Latest)) ExpertSteps++;
            return base.Step(action);
        }
    }

    private static DaggerConfig Small => new() { Seed = 7, Threads = 1, HiddenSizes = [32, 32], BatchSize = 64, ExpertEpisodes = 4, RoundEpisodes = 2, DatasetCapacity = 50_000 };

    [Fact]
    public void Round_zero_is_the_experts_and_later_rounds_execute_the_policy_while_the_expert_labels_every_state()
    {
        var expert = new GoalSeeker();
        using var env = new ExpertActionCounter(new PointMassGoalEnv(), expert);
        using var trainer = new DaggerTrainer(env, "PointMassGoal-v0", Small with { ExpertMixing = 0 }, expert);

        trainer.Train(1);
        Assert.Equal(1, trainer.Rounds);
        Assert.Equal(4 * 50, trainer.Steps);
        Assert.Equal(4 * 50, env.ExpertSteps);   // round 0: every executed action is the expert's
        Assert.Equal(4 * 50, trainer.LabelledStateCount);
        Assert.True(trainer.ExpertSuccesses >= 3, $"{trainer.ExpertSuccesses}/4 expert episodes succeeded");

        trainer.Train(trainer.Steps + 1);
        Assert.Equal(2, trainer.Rounds);
        Assert.Equal(6 * 50, trainer.Steps);
        Assert.Equal(6 * 50, expert.Labels);      // the expert labelled the policy's states too
        Assert.Equal(6 * 50, trainer.LabelledStateCount);
        Assert.Equal(6, expert.Episodes);
        Assert.True(env.ExpertSteps < 4 * 50 + 10, $"{env.ExpertSteps - 200} of round 1's 100 steps executed the expert's action with β = 0");
    }

    [Fact]
    public void The_expert_share_is_one_in_round_zero_then_halves_from_the_mixing_setting()
    {
        using var env = new PointMassGoalEnv();
        using var trainer = new DaggerTrainer(env, "PointMassGoal-v0", Small with { ExpertMixing = 0.8 }, new GoalSeeker());
        Assert.Equal([1, 0.8, 0.4, 0.2], Enumerable.Range(0, 4).Select(trainer.ExpertShare).ToArray());
    }

    [Fact]
    public void Dagger_learns_the_experts_behaviour_that_an_untrained_policy_does_not_have()
    {
        using var env = new PointMassGoalEnv();
        using var trainer = new DaggerTrainer(env, "PointMassGoal-v0", Small with { ExpertEpisodes = 10, RoundEpisodes = 5, GradientStepsPerEnvStep = 1 }, new GoalSeeker());
        using var evalEnv = new PointMassGoalEnv();
        double before = PolicyEvaluator.Evaluate(trainer.Policy, evalEnv, episodes: 30, seed: 500).SuccessRate;

        trainer.Train(10 * 50 + 4 * 5 * 50);

        double after = PolicyEvaluator.Evaluate(trainer.Policy, evalEnv, episodes: 30, seed: 500).SuccessRate;
        Assert.True(after >= 0.9 && after > before + 0.5, $"success before training {before:P0}, after {after:P0}");
    }

    [Fact]
    public void A_checkpoint_resumes_the_dataset_the_policy_and_the_counters()
    {
        using var env = new PointMassGoalEnv();
        using var trainer = new DaggerTrainer(env, "PointMassGoal-v0", Small, new GoalSeeker());
        trainer.Train(4 * 50 + 1);
        string dir = Directory.CreateTempSubdirectory("rb-dagger-ckpt-").FullName;
        string path = Path.Combine(dir, "c.rbckpt");
        try
        {
            trainer.SaveCheckpoint(path);
            using var resumedEnv = new PointMassGoalEnv();
            using var resumed = new DaggerTrainer(resumedEnv, "PointMassGoal-v0", Small, new GoalSeeker());
            resumed.LoadCheckpoint(path);
            Assert.Equal(trainer.Steps, resumed.Steps);
            Assert.Equal(trainer.Rounds, resumed.Rounds);
            Assert.Equal(trainer.Episodes, resumed.Episodes);
            Assert.Equal(trainer.LabelledStateCount, resumed.LabelledStateCount);
            Assert.Equal(trainer.ExpertSuccesses, resumed.ExpertSuccesses);
            float[] vector = [0.1f, -0.05f, 0.02f, 0, 0, 0, 0.12f, 0.03f, -0.1f];
            float[] a = new float[3], b = new float[3];
            trainer.Policy.Act(vector, [], a);
            resumed.Policy.Act(vector, [], b);
            Assert.Equal(a, b);

            // The next round of the resumed run is a policy round, not a second expert round.
            resumed.Train(resumed.Steps + 1);
            Assert.Equal(trainer.Rounds + 1, resumed.Rounds);
            Assert.Equal(trainer.LabelledStateCount + 2 * 50, resumed.LabelledStateCount);

            // A damaged checkpoint is refused with its name, not read.
            byte[] bytes = File.ReadAllBytes(path);
            bytes[bytes.Length / 2] ^= 0xFF;
            File.WriteAllBytes(path, bytes);
            using var third = new DaggerTrainer(new PointMassGoalEnv(), "PointMassGoal-v0", Small, new GoalSeeker());
            var e = Assert.Throws<InvalidDataException>(() => third.LoadCheckpoint(path));
            Assert.Contains(path, e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_dataset_that_is_full_drops_its_oldest_states()
    {
        var states = new LabelledStates(capacity: 3, vectorSize: 1, actionSize: 1);
        for (int i = 0; i < 5; i++) states.Add([i], [-i]);
        Assert.Equal(3, states.Count);
        float[] vectors = new float[200], labels = new float[200];
        states.Sample(new Random(1), vectors, labels, 200);
        Assert.Equal([2f, 3f, 4f], vectors.Distinct().Order().ToArray());
        for (int r = 0; r < 200; r++) Assert.Equal(-vectors[r], labels[r]);
    }

    [Theory]
    [InlineData(0, 2, 0.5, 0.5, "expert episode")]
    [InlineData(4, 0, 0.5, 0.5, "at least one episode")]
    [InlineData(4, 2, 0.0, 0.5, "gradient steps")]
    [InlineData(4, 2, 0.5, 1.5, "mixing")]
    public void Settings_that_cannot_train_are_refused_with_what_was_wrong(int expert, int round, double updates, double mixing, string expected)
    {
        using var env = new PointMassGoalEnv();
        var e = Assert.ThrowsAny<ArgumentException>(() => new DaggerTrainer(env, "PointMassGoal-v0",
            Small with { ExpertEpisodes = expert, RoundEpisodes = round, GradientStepsPerEnvStep = updates, ExpertMixing = mixing }, new GoalSeeker()));
        Assert.Contains(expected, e.Message);
    }
}
