using RobotBridge.Distributed.Contract;
using RobotBridge.Gym;
using RobotBridge.Gym.Registration;
using RobotBridge.Gym.Spaces;
using RobotBridge.Learning.Envs;
using RobotBridge.Learning.Policies;
using RobotBridge.Sim.Tasks;
using RobotBridge.Tasks;

namespace RobotBridge.Distributed.Tests;

/// <summary>The MuJoCo Fetch twin's tasks, registered in a registry of the tests' own.</summary>
internal static class Twins
{
    public static EnvRegistry Registry { get; } = Create();

    private static EnvRegistry Create()
    {
        var registry = new EnvRegistry();
        FetchEnvs.Register(registry, new FetchBodyProviders(new SimFetchBodyProvider()));
        return registry;
    }

    public static IEnv<DictValue, float[]> Make(string id = "FetchReach-v4") => Registry.Make<DictValue, float[]>(id);

    /// <summary>What a learner hands a joining worker: its ticket and seed, and an untrained policy (version 0).</summary>
    public static WorkerAssignment Assignment(int seed, int slot = 0, int generation = 1, double randomActions = 0)
    {
        using var env = Make();
        using var policy = new SquashedGaussianPolicy(PolicyInputs.SpecFor(env, "FetchReach-v4", "sac-her", [64, 64]));
        return new WorkerAssignment(new WorkerTicket(slot, generation), seed, "FetchReach-v4", [], randomActions, Snapshot(policy, 0));
    }

    public static PolicySnapshot Snapshot(SquashedGaussianPolicy policy, long version)
    {
        using var stream = new MemoryStream();
        PolicyFile.Write(policy, stream);
        return new PolicySnapshot(version, stream.ToArray());
    }
}
