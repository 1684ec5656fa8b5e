using System.Diagnostics;
using RobotBridge.Gym;
using RobotBridge.Learning.Envs;
using RobotBridge.Learning.Policies;
using RobotBridge.Safety;
using RobotBridge.Tasks;

namespace RobotBridge.Learning.Deployment;

/// <summary>
/// Runs a trained policy on an env built over a robot body (the twin or a real Fetch). Below the env
/// sit its <see cref="RobotBridge.Control.ControlLoop"/> and the safety supervisor: each step hands the
/// policy's command to the loop's mailbox, and the loop (at 100 Hz; on a wall clock on a thread of its
/// own, also while the policy infers) reads the state, runs the supervisor's checks and sends the
/// command. This class only steps the policy at the task's rate. The spaces are checked before the env is
/// reset, so a mismatched policy never moves the robot. A safety stop reported in
/// <c>info["safety"]</c> ends the episode at once; without an <see cref="IStopRecovery"/> it ends the
/// run, with one the run waits for an operator's reset and goes on with the next episode.
/// </summary>
public static class PolicyDeployment
{
    /// <param name="recovery">What to do after a safety stop: wait for an operator's reset (bounded)
    /// and continue. Null ends the run at the first stop.</param>
    public static DeployResult Run<TObs>(SquashedGaussianPolicy policy, IEnv<TObs, float[]> env, string envName,
        int episodes, int seed, Action<DeployStep>? onStep = null, IStopRecovery? recovery = null, CancellationToken cancel = default)
        where TObs : notnull
    {
        PolicyEnvMismatchException.ThrowIfMismatched(policy.Spec, env, envName);
        if (episodes < 1) throw new ArgumentOutOfRangeException(nameof(episodes), episodes, "deploy for at least one episode");
        int limit = env.Spec?.MaxEpisodeSteps ?? 50;
        var vector = new float[policy.Spec.VectorSize];
        var action = new float[policy.Spec.ActionSize];
        var inference = new List<TimeSpan>();
        var stepTimes = new List<TimeSpan>();
        var observationAges = new List<TimeSpan>();
        int successes = 0, ran = 0, stops = 0, resumes = 0;
        long steps = 0;
        bool seeded = false;
        string? stoppedBy = null;
        var watch = new Stopwatch();

        // After a stop: wait for the operator (never moving meanwhile), or say why the run ends. A stop
        // in the last episode ends the run as it is: nothing is left to resume.
        bool Resume(string stop)
        {
            stops++;
            if (recovery is null || ran >= episodes)
            {
                stoppedBy = stop;
                return false;
            }
            if (recovery.AwaitReset(cancel) is { } why)
            {
                stoppedBy = $"{stop}; {why}";
                return false;
            }
            resumes++;
            return true;
        }

        while (ran < episodes && stoppedBy is null && !cancel.IsCancellationRequested)
        {
            TObs obs;
            try
            {
                // Only the first episode is seeded; a retried first reset keeps the seed (same goal).
                (obs, _) = env.Reset(seed: seeded ? null : seed);
            }
            catch (TaskResetException e) when (recovery is not null && recovery.Safety.IsStopped)
            {
                // Stopped before the episode could start (e.g. during the move to the start pose).
                if (!Resume($"safety stop before episode {ran + 1}: {e.Message}")) break;
                continue;
            }
            seeded = true;
            bool success = false;
            SafetySnapshot? stopped = null;
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
                if (timing is { } reported)
                {
                    observationAges.Add(reported.ObservationAge);
                }
                SafetySnapshot? safety = step.Info.TryGet(SafetyInfoKeys.Safety, out var s) ? s : null;
                onStep?.Invoke(new DeployStep(ran + 1, t + 1, inferred, stepped, timing, safety, step.Reward, success));
                if (safety is { IsStopped: true })
                {
                    stopped = safety;
                    break;
                }
                if (step.Done) break;
            }
            ran++;
            if (stopped is not null)
            {
                Resume($"safety stop: {stopped}");
            }
            else if (success)
            {
                successes++;
            }
        }
        if (stoppedBy is null && cancel.IsCancellationRequested) stoppedBy = "cancelled";
        return new DeployResult(ran, successes, steps, LatencySummary.Of(inference), LatencySummary.Of(stepTimes), stoppedBy)
        {
            SafetyStops = stops,
            Resumes = resumes,
            ObservationAge = LatencySummary.Of(observationAges),
        };
    }
}
