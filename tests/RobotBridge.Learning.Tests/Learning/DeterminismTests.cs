using RobotBridge.Gym.Envs;
using RobotBridge.Learning.Envs;
using RobotBridge.Learning.Policies;
using RobotBridge.Learning.Sac;
using RobotBridge.Learning.Torch;

namespace RobotBridge.Learning.Tests.Learning;

public class DeterminismTests
{
    private static float[] TrainAndAct(int seed) => TrainAndAct(
        new SacHerConfig { Seed = seed, Threads = 1, LearningStarts = 200, BufferTransitions = 10_000, BatchSize = 64, HiddenSizes = [32, 32] }, steps: 400);

    /// <summary>Trains SAC+HER on the point-mass goal env and returns the policy's action for a fixed probe
    /// input: a fingerprint of every weight the run produced.</summary>
    internal static float[] TrainAndAct(SacHerConfig config, long steps)
    {
        using var env = new PointMassGoalEnv();
        using var trainer = new SacHerTrainer(env, "PointMassGoal-v0", config);
        trainer.Train(steps);
        var probe = new float[trainer.Policy.Spec.VectorSize];
        for (int i = 0; i < probe.Length; i++) probe[i] = 0.05f * (i + 1);
        var action = new float[trainer.Policy.Spec.ActionSize];
        trainer.Policy.Act(probe, default, action);
        return action;
    }

    [Fact]
    public void SameSeedAndThreadCountGiveBitIdenticalPolicies()
    {
        var first = TrainAndAct(seed: 11);
        var second = TrainAndAct(seed: 11);
        var other = TrainAndAct(seed: 12);
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void CameraPolicyRoundTripsThroughItsFileWithIdenticalActions()
    {
        using var env = new PointMassGoalEnv(new PointMassGoalOptions { ImageSize = 48 });
        var spec = PolicyInputs.SpecFor(env, "PointMassGoal-v0", "ppo", [32]);
        Assert.NotNull(spec.Image);
        TorchRuntime.Configure(4, 1);
        using var policy = new SquashedGaussianPolicy(spec);
        var (obs, _) = env.Reset(seed: 3);
        var vector = new float[spec.VectorSize];
        PolicyInputs.WriteVector(spec, obs, vector);
        var expected = new float[spec.ActionSize];
        policy.Act(vector, PolicyInputs.Image(spec, obs), expected);

        using var stream = new MemoryStream();
        PolicyFile.Write(policy, stream);
        stream.Position = 0;
        using var loaded = PolicyFile.Read(stream);
        var actual = new float[spec.ActionSize];
        loaded.Act(vector, PolicyInputs.Image(spec, obs), actual);
        Assert.Equal(expected, actual);

        var e = Assert.Throws<ArgumentException>(() => loaded.Act(vector, new byte[10], actual));
        Assert.Contains("48x48x3", e.Message);
    }
}
