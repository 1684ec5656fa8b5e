using RobotBridge.Gym.Envs;
using RobotBridge.Learning.Envs;
using RobotBridge.Learning.Policies;
using RobotBridge.Learning.Torch;

namespace RobotBridge.Learning.Tests.Learning;

public sealed class PolicyFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rb-policy-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A policy with non-trivial weights and normaliser statistics.</summary>
    private static SquashedGaussianPolicy TrainedLookingPolicy(PolicySpec spec, int seed)
    {
        TorchRuntime.Configure(seed, threads: 1);
        var policy = new SquashedGaussianPolicy(spec);
        var rng = new Random(seed);
        var rows = Enumerable.Range(0, 64 * spec.VectorSize).Select(_ => (float)(rng.NextDouble() * 4 - 1)).ToArray();
        policy.Normalizer.Update(rows, 64);
        return policy;
    }

    private static float[][] Actions(SquashedGaussianPolicy policy, int count)
    {
        var rng = new Random(42);
        var result = new float[count][];
        for (int i = 0; i < count; i++)
        {
            var vector = Enumerable.Range(0, policy.Spec.VectorSize).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            result[i] = new float[policy.Spec.ActionSize];
            policy.Act(vector, default, result[i]);
        }
        return result;
    }

    [Fact]
    public void SavedAndLoadedPolicyGivesIdenticalActions()
    {
        using var env = new PointMassGoalEnv();
        var spec = PolicyInputs.SpecFor(env, "PointMassGoal-v0", "sac-her", [32, 32]);
        using var policy = TrainedLookingPolicy(spec, seed: 5);
        string path = Path.Combine(_dir, "p.rbpolicy");
        PolicyFile.Save(policy, path);
        using var loaded = PolicyFile.Load(path);

        Assert.Equal(spec.ToJson(), loaded.Spec.ToJson());
        Assert.Equal(policy.Normalizer.Count, loaded.Normalizer.Count);
        var expected = Actions(policy, 20);
        var actual = Actions(loaded, 20);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i]);
        // The normaliser matters: a fresh policy with the same weights but no statistics acts differently.
        Assert.NotEqual(0, policy.Normalizer.Count);
    }

    [Fact]
    public void PyTorchStateDictRoundTripKeepsActions()
    {
        using var env = new PointMassGoalEnv();
        var spec = PolicyInputs.SpecFor(env, "PointMassGoal-v0", "sac-her", [16]);
        using var policy = TrainedLookingPolicy(spec, seed: 6);
        string path = Path.Combine(_dir, "p.pt");
        PolicyFile.ExportStateDict(policy, path);
        TorchRuntime.Configure(99, 1); // different init weights: the import must overwrite all of them
        using var imported = PolicyFile.ImportStateDict(spec, path);

        var expected = Actions(policy, 10);
        var actual = Actions(imported, 10);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i]);
    }

    [Fact]
    public void StateDictKeysAreTheDocumentedOnes()
    {
        using var env = new PointMassGoalEnv();
        var spec = PolicyInputs.SpecFor(env, "PointMassGoal-v0", "sac-her", [16, 8]);
        using var policy = new SquashedGaussianPolicy(spec);
        var keys = policy.state_dict().Keys.ToHashSet();
        string[] expected = ["normalizer.mean", "normalizer.var", "normalizer.count", "trunk.0.weight", "trunk.0.bias",
                             "trunk.2.weight", "trunk.2.bias", "mean.weight", "mean.bias", "log_std.weight", "log_std.bias"];
        Assert.True(keys.SetEquals(expected), "keys: " + string.Join(", ", keys));
    }

    [Fact]
    public void GarbageFileIsRefusedWithItsName()
    {
        string path = Path.Combine(_dir, "junk.rbpolicy");
        File.WriteAllText(path, "not a policy");
        var e = Assert.Throws<InvalidDataException>(() => PolicyFile.Load(path));
        Assert.Contains("junk.rbpolicy", e.Message);
    }

    [Fact]
    public void PolicyForAnotherEnvIsRefusedWithBothSpaces()
    {
        using var env = new PointMassGoalEnv();
        var spec = PolicyInputs.SpecFor(env, "PointMassGoal-v0", "sac-her", [16]);
        using var cameraEnv = new PointMassGoalEnv(new PointMassGoalOptions { ImageSize = 48 });
        var e = Assert.Throws<PolicyEnvMismatchException>(() => PolicyEnvMismatchException.ThrowIfMismatched(spec, cameraEnv, "camera point mass"));
        Assert.Contains("observation space differs", e.Message);
        Assert.Contains("image", e.Message);
        PolicyEnvMismatchException.ThrowIfMismatched(spec, env, "same point mass"); // same spaces: accepted
    }
}
