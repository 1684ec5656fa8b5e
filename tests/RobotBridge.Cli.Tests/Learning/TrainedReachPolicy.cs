using RobotBridge.Cli.Composition;
using RobotBridge.Gym.Spaces;
using RobotBridge.Learning.Policies;
using RobotBridge.Learning.Sac;

namespace RobotBridge.Cli.Tests.Learning;

/// <summary>
/// A FetchReach-v4 policy trained once per test run on the lockstep twin (4000 SAC+HER steps, seed 1,
/// one thread: 100 % eval success at this budget for seeds 1-4), shared by the torch collection's
/// tests that deploy a trained policy. Trained on first use only, so the collection's other tests
/// do not pay for it.
/// </summary>
public sealed class TrainedReachPolicy : IDisposable
{
    public const int Steps = 4000;
    private readonly string _directory = Directory.CreateTempSubdirectory("rb-reach-policy-").FullName;
    private readonly Lazy<string> _path;

    public TrainedReachPolicy() => _path = new Lazy<string>(Train, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The saved policy file (trains it on first access).</summary>
    public string PolicyPath => _path.Value;

    private string Train()
    {
        string path = Path.Combine(_directory, "reach.rbpolicy");
        using var env = EnvComposition.Registry.Make<DictValue, float[]>("FetchReach-v4");
        using var trainer = new SacHerTrainer(env, "FetchReach-v4", new SacHerConfig { Seed = 1, Threads = 1, BufferTransitions = 20_000 });
        trainer.Train(Steps);
        PolicyFile.Save(trainer.Policy, path);
        return path;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
