using System.Diagnostics;
using RobotBridge.Gym;
using RobotBridge.Gym.Spaces;
using RobotBridge.Learning.Evaluation;
using RobotBridge.Learning.Ppo;
using Xunit.Abstractions;

namespace RobotBridge.Learning.Tests.Learning;

public class PpoTrainingTests(ITestOutputHelper output)
{
    [Fact]
    public void ShortSeededRunImprovesTheDenseRewardPointMass()
    {
        var clock = Stopwatch.StartNew();
        const string id = "PointMassGoalDense-v0";
        using var vec = GymEnvs.MakeVec<DictValue, float[]>(id, 4);
        using var evalEnv = GymEnvs.Make<DictValue, float[]>(id);
        var config = new PpoConfig { Seed = 2, RolloutSteps = 128, LearningRate = 1e-3 };
        using var trainer = new PpoTrainer<DictValue>(vec, id, config);

        var before = PolicyEvaluator.Evaluate(trainer.Policy, evalEnv, episodes: 30, seed: 500);
        trainer.Train(30_000);
        var after = PolicyEvaluator.Evaluate(trainer.Policy, evalEnv, episodes: 30, seed: 500);
        output.WriteLine($"before: {before}\nafter: {after}\n{clock.Elapsed.TotalSeconds:F1} s");

        Assert.True(after.MeanReturn > before.MeanReturn + 1.0, $"before {before}, after {after}");
        Assert.True(after.SuccessRate >= 0.5, $"after {after}");
    }
}
