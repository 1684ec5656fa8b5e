using RobotBridge.Gym;
using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;
using RobotBridge.Sim.Tasks;
using RobotBridge.Tasks;

namespace RobotBridge.Sim.Tests.Tasks;

/// <summary>A registry with the Fetch tasks on the twin, for the task tests.</summary>
internal static class FetchTaskFixture
{
    public static EnvRegistry Registry { get; } = Create();

    private static EnvRegistry Create()
    {
        var registry = new EnvRegistry();
        FetchEnvs.Register(registry, new FetchBodyProviders(new SimFetchBodyProvider()));
        return registry;
    }

    public static IEnv<DictValue, float[]> Make(string id, EnvOptions? options = null) =>
        Registry.Make<DictValue, float[]>(id, options);

    /// <summary>Runs <paramref name="episodes"/> seeded episodes with the scripted controller; returns the success rate.</summary>
    public static double ScriptedSuccessRate(string id, FetchTaskKind kind, int episodes, int firstSeed = 0)
    {
        using var env = Make(id);
        var controller = new ScriptedFetchController(kind);
        var action = new float[4];
        int successes = 0;
        for (int e = 0; e < episodes; e++)
        {
            var (obs, _) = env.Reset(seed: firstSeed + e);
            controller.Reset();
            bool success = false;
            while (true)
            {
                controller.Act(obs, action);
                var step = env.Step(action);
                obs = step.Observation;
                success = step.Info.Get(InfoKeys.IsSuccess);
                if (step.Done)
                {
                    break;
                }
            }
            successes += success ? 1 : 0;
        }
        return successes / (double)episodes;
    }
}
