using System.Diagnostics;
using RobotBridge.Gym;
using RobotBridge.Learning.Envs;
using RobotBridge.Learning.Policies;

namespace RobotBridge.Learning.Deployment;

/// <summary>
/// Runs a trained policy on an env built over a robot body (the twin or a real Fetch; the body's
/// control loop and safety supervisor sit below the env). The spaces are checked before the env is
/// reset, so a mismatched policy never moves the robot. A safety stop reported in
/// <c>info["safety"]</c> ends the run at once.
/// </summary>
public static class PolicyDeployment
{
    public static DeployResult Run<TObs>(SquashedGaussianPolicy policy, IEnv<TObs, float[]> env, string envName,
        int episodes, int seed, Action<DeployStep>? onStep = null, CancellationToken cancel = default)
        where TObs : notnull
    {
        PolicyEnvMismatchException.ThrowIfMismatched(policy.Spec, env, envName);
        if (episodes < 1) throw new ArgumentOutOfRangeException(nameof(episodes), episodes, "deploy for at least one episode");
        int limit = env.Spec?.MaxEpisodeSteps ?? 50;
        var vector = new float[policy.Spec.VectorSize];
        var action = new float[policy.Spec.ActionSize];
        var inference = new List<TimeSpan>();
        var stepTimes = new List<TimeSpan>();
        int successes = 0, ran = 0;
        long steps = 0;
        string? stoppedBy = null;
        var watch = new Stopwatch();
        for (int e = 0; e < episodes && stoppedBy is null && !cancel.IsCancellationRequested; e++)
        {
            var (obs, _) = env.Reset(seed: e == 0 ? seed : null);
            bool success = false;
            for (int t = 0; t < limit && !cancel.IsCancellationRequested; t++)
            {
                watch.Restart();
                PolicyInputs.WriteVector(policy.Spec, obs, vector);
                policy.Act(vector, PolicyInputs.Image(policy.Spec, obs), action);
                var inferred = watch.Elapsed;
                watch.Restart();
                var step = env.Step(action);
                var stepped = watch.Elapsed;
                obs = step.Observation;
                inference.Add(inferred);
                stepTimes.Add(stepped);
                steps++;
                success = step.Info.GetOrDefault(InfoKeys.IsSuccess, false);
                Gym.StepTiming? timing = step.Info.TryGet(InfoKeys.Timing, out var tm) ? tm : null;
                Safety.SafetySnapshot? safety = step.Info.TryGet(InfoKeys.Safety, out var s) ? s : null;
                onStep?.Invoke(new DeployStep(e + 1, t + 1, inferred, stepped, timing, safety, step.Reward, success));
                if (safety is { IsStopped: true })
                {
                    stoppedBy = $"safety stop: {safety}";
                    break;
                }
                if (step.Done) break;
            }
            ran++;
            if (success && stoppedBy is null) successes++;
        }
        if (stoppedBy is null && cancel.IsCancellationRequested) stoppedBy = "cancelled";
        return new DeployResult(ran, successes, steps, LatencySummary.Of(inference), LatencySummary.Of(stepTimes), stoppedBy);
    }
}
