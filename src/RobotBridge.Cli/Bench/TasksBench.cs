using System.Diagnostics;
using RobotBridge.Gym;
using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;
using RobotBridge.Gym.Vector;
using RobotBridge.Safety;
using RobotBridge.Tasks;

namespace RobotBridge.Cli.Bench;

/// <summary>
/// Throughput of the Fetch tasks on the twin (single env and a threaded vector env, proprioceptive
/// and with the 84x84 camera) and the scripted controllers' success rates over seeded episodes.
/// </summary>
internal static class TasksBench
{
    public static double StepsPerSecond(EnvRegistry registry, string id, int steps)
    {
        using var env = registry.Make<DictValue, float[]>(id);
        var rng = new Random(0);
        var action = new float[4];
        env.Reset(seed: 0);
        Step(env, action, rng, 20); // warm-up: JIT, first render
        long start = Stopwatch.GetTimestamp();
        Step(env, action, rng, steps);
        return steps / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    public static double VectorStepsPerSecond(EnvRegistry registry, string id, int workers, int steps)
    {
        using var vector = registry.MakeVec<DictValue, float[]>(id, workers, mode: VectorizationMode.Threaded);
        var rng = new Random(0);
        var actions = (ArrayBatch<float>)vector.Actions;
        vector.Reset(seed: 0);
        int calls = Math.Max(1, steps / workers);
        long start = 0;
        for (int i = 0; i < calls + 10; i++)
        {
            if (i == 10)
            {
                start = Stopwatch.GetTimestamp();
            }
            for (int k = 0; k < actions.Data.Length; k++)
            {
                actions.Data[k] = (float)(rng.NextDouble() * 2 - 1);
            }
            vector.Step();
        }
        return calls * workers / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>The scripted controller's successes over seeded episodes; <paramref name="options"/> e.g.
    /// <c>safety=true</c> to put the safety supervisor in front of the twin, as deploy does.</summary>
    public static ScriptedRun Scripted(EnvRegistry registry, string id, FetchTaskKind kind, int episodes, EnvOptions? options = null, TextWriter? failures = null)
    {
        using var env = registry.Make<DictValue, float[]>(id, options);
        ISafetyGuard? supervisor = env.SafetyGuard();
        var controller = FetchEnvs.ScriptedFor(id) ?? new ScriptedFetchController(kind);
        var action = new float[4];
        int successes = 0, steps = 0, tracked = 0;
        for (int e = 0; e < episodes; e++)
        {
            DictValue obs;
            try
            {
                (obs, _) = env.Reset(seed: e);
            }
            catch (TaskResetException stopped)
            {
                return new ScriptedRun(successes, e, supervisor?.Counters, $"episode {e + 1}: {stopped.Message}");
            }
            controller.Reset();
            while (true)
            {
                controller.Act(obs, action);
                var step = env.Step(action);
                obs = step.Observation;
                steps++;
                tracked += step.Info.TryGet(FetchTaskInfoKeys.ObjectTracked, out bool seen) && seen ? 1 : 0;
                if (step.Done)
                {
                    bool success = step.Info.Get(InfoKeys.IsSuccess);
                    successes += success ? 1 : 0;
                    if (!success && failures is not null)
                    {
                        double[] a = obs.AchievedGoal(), g = obs.DesiredGoal(), o = obs.Observation();
                        failures.WriteLine($"  {id} seed {e}: failed, goal ({g[0]:F3}, {g[1]:F3}, {g[2]:F3}), achieved ({a[0]:F3}, {a[1]:F3}, {a[2]:F3}), " +
                            $"grip ({o[0]:F3}, {o[1]:F3}, {o[2]:F3})");
                    }
                    break;
                }
            }
        }
        return new ScriptedRun(successes, episodes, supervisor?.Counters, null) { Steps = steps, ObjectTrackedSteps = tracked };
    }

    /// <summary>Successes over the episodes run; what the supervisor did to the commands (null on the
    /// bare twin); and what stopped the run early: behind the supervisor a latched safety stop ends the
    /// measurement (nobody is there to reset it).</summary>
    public sealed record ScriptedRun(int Successes, int Episodes, SupervisorCounters? Supervisor, string? StoppedBy)
    {
        /// <summary>Env steps run.</summary>
        public int Steps { get; init; }

        /// <summary>Steps whose observation had a measured object pose (object tasks).</summary>
        public int ObjectTrackedSteps { get; init; }
    }

    /// <summary>Uniformly random actions over seeded episodes: how often they succeed and, for object
    /// tasks, how often they move the object more than 1 cm (HER learns nothing from the others).</summary>
    public static (int Successes, int ObjectMoved, int Episodes) RandomActions(EnvRegistry registry, string id, int episodes, EnvOptions? options = null)
    {
        using var env = registry.Make<DictValue, float[]>(id, options);
        var rng = new Random(0);
        var action = new float[4];
        int successes = 0, moved = 0;
        for (int e = 0; e < episodes; e++)
        {
            var (obs, _) = env.Reset(seed: e);
            double[] start = obs.AchievedGoal().ToArray();
            double farthest = 0;
            while (true)
            {
                for (int k = 0; k < 4; k++) action[k] = (float)(rng.NextDouble() * 2 - 1);
                var step = env.Step(action);
                double[] achieved = step.Observation.AchievedGoal();
                double dx = achieved[0] - start[0], dy = achieved[1] - start[1], dz = achieved[2] - start[2];
                farthest = Math.Max(farthest, Math.Sqrt(dx * dx + dy * dy + dz * dz));
                if (step.Done)
                {
                    successes += step.Info.Get(InfoKeys.IsSuccess) ? 1 : 0;
                    moved += farthest > 0.01 ? 1 : 0;
                    break;
                }
            }
        }
        return (successes, moved, episodes);
    }

    /// <summary>Mean grip displacement per step (m) under a sustained full action along one axis, over
    /// steps 3–10 of an episode (after the arm has sped up): how fast the arm can explore that way.</summary>
    public static double SustainedStepLength(EnvRegistry registry, string id, int axis, float sign, EnvOptions? options = null)
    {
        using var env = registry.Make<DictValue, float[]>(id, options);
        var (obs, _) = env.Reset(seed: 0);
        var action = new float[4];
        action[axis] = sign;
        double[] previous = obs.Observation()[..3];
        double total = 0;
        for (int t = 1; t <= 10; t++)
        {
            double[] grip = env.Step(action).Observation.Observation()[..3];
            if (t >= 3)
            {
                double dx = grip[0] - previous[0], dy = grip[1] - previous[1], dz = grip[2] - previous[2];
                total += Math.Sqrt(dx * dx + dy * dy + dz * dz);
            }
            previous = grip;
        }
        return total / 8;
    }

    private static void Step(IEnv<DictValue, float[]> env, float[] action, Random rng, int steps)
    {
        for (int i = 0; i < steps; i++)
        {
            for (int k = 0; k < 4; k++)
            {
                action[k] = (float)(rng.NextDouble() * 2 - 1);
            }
            if (env.Step(action).Done)
            {
                env.Reset();
            }
        }
    }
}
