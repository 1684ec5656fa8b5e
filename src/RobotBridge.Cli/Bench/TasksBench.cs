using System.Diagnostics;
using RobotBridge.Gym;
using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;
using RobotBridge.Gym.Vector;
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

    public static (int Successes, int Episodes) Scripted(EnvRegistry registry, string id, FetchTaskKind kind, int episodes)
    {
        using var env = registry.Make<DictValue, float[]>(id);
        var controller = new ScriptedFetchController(kind);
        var action = new float[4];
        int successes = 0;
        for (int e = 0; e < episodes; e++)
        {
            var (obs, _) = env.Reset(seed: e);
            controller.Reset();
            while (true)
            {
                controller.Act(obs, action);
                var step = env.Step(action);
                obs = step.Observation;
                if (step.Done)
                {
                    successes += step.Info.Get(InfoKeys.IsSuccess) ? 1 : 0;
                    break;
                }
            }
        }
        return (successes, episodes);
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
