using RobotBridge.Gym;
using RobotBridge.Learning.Envs;
using RobotBridge.Learning.Policies;

namespace RobotBridge.Learning.Evaluation;

/// <summary>Outcome of evaluating a policy: successes over episodes, mean return, 95% Wilson interval.</summary>
public sealed record EvaluationResult(int Episodes, int Successes, double MeanReturn)
{
    public double SuccessRate => Successes / (double)Episodes;
    public WilsonInterval Interval => WilsonInterval.For(Successes, Episodes);

    public override string ToString() =>
        FormattableString.Invariant($"success rate {SuccessRate:P1} ({Successes}/{Episodes}), 95% CI [{Interval.Low:P1}, {Interval.High:P1}], mean return {MeanReturn:F2}");
}

/// <summary>Runs a policy's deterministic action on an env for whole episodes; success is the
/// env's <c>is_success</c> at the last step (the Fetch convention).</summary>
public static class PolicyEvaluator
{
    public static EvaluationResult Evaluate<TObs>(SquashedGaussianPolicy policy, IEnv<TObs, float[]> env, int episodes, int seed, int maxEpisodeSteps = 0)
        where TObs : notnull
    {
        if (episodes < 1) throw new ArgumentOutOfRangeException(nameof(episodes), episodes, "evaluate at least one episode");
        PolicyEnvMismatchException.ThrowIfMismatched(policy.Spec, env, env.Spec?.Id ?? env.GetType().Name);
        int limit = maxEpisodeSteps > 0 ? maxEpisodeSteps : env.Spec?.MaxEpisodeSteps ?? 50;
        var vector = new float[policy.Spec.VectorSize];
        var action = new float[policy.Spec.ActionSize];
        int successes = 0;
        double returns = 0;
        for (int e = 0; e < episodes; e++)
        {
            var (obs, _) = env.Reset(seed: e == 0 ? seed : null);
            bool success = false;
            for (int t = 0; t < limit; t++)
            {
                PolicyInputs.WriteVector(policy.Spec, obs, vector);
                policy.Act(vector, PolicyInputs.Image(policy.Spec, obs), action);
                var step = env.Step(action);
                obs = step.Observation;
                returns += step.Reward;
                success = step.Info.GetOrDefault(InfoKeys.IsSuccess, false);
                if (step.Done) break;
            }
            if (success) successes++;
        }
        return new EvaluationResult(episodes, successes, returns / episodes);
    }
}
