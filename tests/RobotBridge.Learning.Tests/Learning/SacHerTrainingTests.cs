using System.Diagnostics;
using RobotBridge.Gym.Envs;
using RobotBridge.Learning.Evaluation;
using RobotBridge.Learning.Sac;
using Xunit.Abstractions;

namespace RobotBridge.Learning.Tests.Learning;

public class SacHerTrainingTests(ITestOutputHelper output)
{
    [Fact]
    public void ShortSeededRunLearnsToReachGoalsOnThePointMass()
    {
        var clock = Stopwatch.StartNew();
        using var env = new PointMassGoalEnv();
        var config = new SacHerConfig { Seed = 3, Threads = 1, LearningStarts = 500, BufferTransitions = 50_000 };
        using var trainer = new SacHerTrainer(env, "PointMassGoal-v0", config);

        using var evalEnv = new PointMassGoalEnv();
        var before = PolicyEvaluator.Evaluate(trainer.Policy, evalEnv, episodes: 50, seed: 1000);
        trainer.Train(4000);
        var after = PolicyEvaluator.Evaluate(trainer.Policy, evalEnv, episodes: 50, seed: 1000);
        output.WriteLine($"before: {before}\nafter: {after}\n{clock.Elapsed.TotalSeconds:F1} s");

        Assert.True(after.SuccessRate >= 0.8, $"after 4000 steps: {after}");
        Assert.True(after.SuccessRate > before.SuccessRate + 0.3, $"before {before}, after {after}");
    }
}
