using RobotBridge.Gym;
using RobotBridge.Gym.Envs;
using RobotBridge.Gym.Spaces;
using RobotBridge.Gym.Wrappers;
using RobotBridge.Learning.Deployment;
using RobotBridge.Learning.Envs;
using RobotBridge.Learning.Policies;

namespace RobotBridge.Learning.Tests.Learning;

public class PolicyDeploymentTests
{
    /// <summary>Counts Reset and Step calls, to prove a refused policy never touched the env.</summary>
    private sealed class CallCounter(IEnv<DictValue, float[]> inner) : Wrapper<DictValue, float[]>(inner)
    {
        public int Resets { get; private set; }
        public int Steps { get; private set; }

        public override ResetResult<DictValue> Reset(int? seed = null, IReadOnlyDictionary<string, object?>? options = null)
        {
            Resets++;
            return base.Reset(seed, options);
        }

        public override StepResult<DictValue> Step(float[] action)
        {
            Steps++;
            return base.Step(action);
        }
    }

    [Fact]
    public void MismatchedPolicyIsRefusedBeforeTheEnvIsResetOrStepped()
    {
        using var trainedOn = new PointMassGoalEnv();
        var spec = PolicyInputs.SpecFor(trainedOn, "PointMassGoal-v0", "sac-her", [16]);
        TorchRuntime.Configure(1, 1);
        using var policy = new SquashedGaussianPolicy(spec);
        using var env = new CallCounter(new PointMassGoalEnv(new PointMassGoalOptions { ImageSize = 36 }));

        var e = Assert.Throws<PolicyEnvMismatchException>(() => PolicyDeployment.Run(policy, env, "camera point mass", episodes: 1, seed: 1));
        Assert.Contains("camera point mass", e.Message);
        Assert.Contains("observation space differs", e.Message);
        Assert.Equal(0, env.Resets);
        Assert.Equal(0, env.Steps);
    }

    [Fact]
    public void MatchingPolicyRunsWholeEpisodesAndReportsTiming()
    {
        using var inner = new PointMassGoalEnv();
        var spec = PolicyInputs.SpecFor(inner, "PointMassGoal-v0", "sac-her", [16]);
        TorchRuntime.Configure(1, 1);
        using var policy = new SquashedGaussianPolicy(spec);
        using var env = new CallCounter(new PointMassGoalEnv());
        var seen = new List<DeployStep>();

        var result = PolicyDeployment.Run(policy, env, "point mass", episodes: 2, seed: 7, onStep: seen.Add);

        Assert.Null(result.StoppedBy);
        Assert.Equal(2, result.Episodes);
        Assert.Equal(100, result.Steps); // two 50-step episodes (the default limit without a registry spec)
        Assert.Equal(2, env.Resets);
        Assert.Equal(100, seen.Count);
        Assert.All(seen, s => Assert.NotNull(s.EnvTiming));
        Assert.True(result.Inference.P50 > TimeSpan.Zero && result.Inference.P99 >= result.Inference.P50);
    }
}
