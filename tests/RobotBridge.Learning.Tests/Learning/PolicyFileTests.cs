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
    public void A_policy_with_4000_changed_weight_bytes_is_refused_as_damaged()
    {
        using var env = new PointMassGoalEnv();
        var spec = PolicyInputs.SpecFor(env, "PointMassGoal-v0", "sac-her", [64, 64]);
        using var policy = TrainedLookingPolicy(spec, seed: 7);
        string path = Path.Combine(_dir, "p.rbpolicy");
        PolicyFile.Save(policy, path);
        byte[] bytes = File.ReadAllBytes(path);
        int start = bytes.Length / 3; // past the header, inside the weights
        Assert.True(bytes.Length - start > 4000 + FileChecksum.TrailerLength, $"policy of {bytes.Length} bytes too small for the test");
        for (int i = 0; i < 4000; i++) bytes[start + i] ^= 0x21;
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<InvalidDataException>(() => PolicyFile.Load(path));
        Assert.Contains("is damaged", e.Message);
        Assert.Contains("p.rbpolicy", e.Message);
    }

    [Fact]
    public void A_truncated_policy_is_refused_as_truncated()
    {
        using var env = new PointMassGoalEnv();
        var spec = PolicyInputs.SpecFor(env, "PointMassGoal-v0", "sac-her", [32]);
        using var policy = TrainedLookingPolicy(spec, seed: 8);
        string path = Path.Combine(_dir, "t.rbpolicy");
        PolicyFile.Save(policy, path);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);

        var e = Assert.Throws<InvalidDataException>(() => PolicyFile.Load(path));
        Assert.Contains("is truncated", e.Message);
    }

    [Fact]
    public void A_policy_written_before_checksums_loads_with_a_warning()
    {
        using var env = new PointMassGoalEnv();
        var spec = PolicyInputs.SpecFor(env, "PointMassGoal-v0", "sac-her", [16]);
        using var policy = TrainedLookingPolicy(spec, seed: 9);
        using var stream = new MemoryStream();
        PolicyFile.Write(policy, stream);
        byte[] bytes = stream.ToArray();
        BitConverter.GetBytes(1).CopyTo(bytes, 8); // version 1: the same layout, no trailer
        string path = Path.Combine(_dir, "old.rbpolicy");
        File.WriteAllBytes(path, bytes);

        var warnings = new List<string>();
        using var loaded = PolicyFile.Load(path, warnings.Add);
        Assert.Equal(Actions(policy, 5), Actions(loaded, 5));
        Assert.Contains("has no checksum", Assert.Single(warnings));
    }

    [Fact]
    public void A_saved_policy_loads_without_a_warning()
    {
        using var env = new PointMassGoalEnv();
        var spec = PolicyInputs.SpecFor(env, "PointMassGoal-v0", "sac-her", [16]);
        using var policy = TrainedLookingPolicy(spec, seed: 10);
        string path = Path.Combine(_dir, "new.rbpolicy");
        PolicyFile.Save(policy, path);
        var warnings = new List<string>();
        using var loaded = PolicyFile.Load(path, warnings.Add);
        Assert.Empty(warnings);
    }

    [Theory]
    [InlineData("{\"VectorSize\":-3,\"ActionSize\":2,\"ActionLow\":[-1,-1],\"ActionHigh\":[1,1]}", "VectorSize")]
    [InlineData("{\"VectorSize\":3,\"ActionSize\":2,\"ActionLow\":[-1],\"ActionHigh\":[1,1]}", "ActionLow")]
    [InlineData("{\"VectorSize\":3,\"ActionSize\":2,\"ActionLow\":[-1,-1],\"ActionHigh\":[1,1],\"HiddenSizes\":[16384,16384,16384]}", "weights")]
    [InlineData("{\"VectorSize\":3,\"ActionSize\":2,\"ActionLow\":[-1,-1],\"ActionHigh\":[1,1],\"HiddenSizes\":[0]}", "HiddenSizes")]
    public void A_spec_with_impossible_sizes_is_refused_before_a_network_is_built(string json, string field)
    {
        var e = Assert.Throws<InvalidDataException>(() => PolicySpec.FromJson(json));
        Assert.Contains(field, e.Message);
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
