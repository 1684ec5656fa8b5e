using RobotBridge.Gym;
using RobotBridge.Learning.Envs;
using RobotBridge.Learning.Policies;
using RobotBridge.Tasks;

namespace RobotBridge.Learning.Evaluation;

/// <summary>Outcome of evaluating a policy: successes over episodes, mean return, 95% Wilson interval.</summary>
public sealed record EvaluationResult(int Episodes, int Successes, double MeanReturn)
{
    public double SuccessRate => Successes / (double)Episodes;
    public WilsonInterval Interval => WilsonInterval.For(Successes, Episodes);

    /// <summary>Why the evaluation ended before the episodes asked for (the robot could not start the
    /// next one), or null; <see cref="Episodes"/> counts the episodes that ran.</summary>
    public string? EndedEarly { get; init; }

    /// <summary>Failed episodes whose goal was met at some step before the end (the object was pushed
    /// on past it, or the grip drifted off); the other failures never met it. Tells a policy that
    /// overshoots from one that never gets there.</summary>
    public int FailuresThatMetTheGoal { get; init; }

    public override string ToString() =>
        FormattableString.Invariant($"success rate {SuccessRate:P1} ({Successes}/{Episodes}), 95% CI [{Interval.Low:P1}, {Interval.High:P1}], mean return {MeanReturn:F2}")
        + (Successes < Episodes ? FormattableString.Invariant($"; of {Episodes - Successes} failures {FailuresThatMetTheGoal} met the goal and left it") : "")
        + (EndedEarly is { } why ? $"; ended after {Episodes} episodes: {why}" : "");
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
        int successes = 0, leftTheGoal = 0;
        double returns = 0;
        for (int e = 0; e < episodes; e++)
        {
            TObs obs;
            try
            {
                (obs, _) = env.Reset(seed: e == 0 ? seed : null);
            }
            catch (TaskResetException refused) when (e > 0)
            {
                // A robot that cannot start the next episode (stopped, or its world refused the set-up) ends
                // the run; the episodes measured so far stand (a served twin's 97th placement was refused
                // after 33 minutes, and the whole run had been lost).
                return new EvaluationResult(e, successes, returns / e) { EndedEarly = refused.Message, FailuresThatMetTheGoal = leftTheGoal };
            }
            bool success = false, metTheGoal = false;
            for (int t = 0; t < limit; t++)
            {
                PolicyInputs.WriteVector(policy.Spec, obs, vector);
                policy.Act(vector, PolicyInputs.Image(policy.Spec, obs), action);
                var step = env.Step(action);
                obs = step.Observation;
                returns += step.Reward;
                success = step.Info.GetOrDefault(InfoKeys.IsSuccess, false);
                metTheGoal |= success;
                if (step.Done) break;
            }
            if (success) successes++;
            else if (metTheGoal) leftTheGoal++;
        }
        return new EvaluationResult(episodes, successes, returns / episodes) { FailuresThatMetTheGoal = leftTheGoal };
    }
}
