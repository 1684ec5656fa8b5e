using System.Text;
using RobotBridge.Learning.Policies;
using RobotBridge.Learning.Training;

namespace RobotBridge.Cli.Tests.Sweep;

/// <summary>
/// The files a careless user (or a bad disk) hands the CLI, made once in a temporary folder: a file
/// where a folder is expected and the reverse, policy files with mangled, negative or huge specs, a
/// damaged and a truncated policy, a truncated checkpoint, an existing run and bag, a bad safety config.
/// </summary>
public sealed class BadInputFiles : IDisposable
{
    public BadInputFiles()
    {
        Root = Directory.CreateTempSubdirectory("robotbridge-sweep-").FullName;
        File.WriteAllText(AFile, "not a folder\n");
        Directory.CreateDirectory(AFolder);
        File.WriteAllText(Users, "robot:robot-secret:robot\nalice:alice-secret:operator\n");
        File.WriteAllText(BadSafetyConfig, "{ this is not json");
        File.WriteAllText(ExistingBag, "an earlier recording\n");

        // A loadable FetchReach-shaped policy (random weights) and damaged copies of it.
        using (var policy = new SquashedGaussianPolicy(ReachSpec()))
        {
            PolicyFile.Save(policy, Policy);
        }
        byte[] intact = File.ReadAllBytes(Policy);
        byte[] damaged = (byte[])intact.Clone();
        int start = intact.Length / 3; // inside the weights, well past the header
        for (int i = 0; i < 4000; i++) damaged[start + i] ^= 0x5A;
        File.WriteAllBytes(DamagedPolicy, damaged);
        File.WriteAllBytes(TruncatedPolicy, intact[..(intact.Length / 2)]);

        WriteCheckedPolicy(MangledSpecPolicy, "{\"VectorSize\": 13, \"ActionSize\": 4, \"ActionLow\": [ -1, -1,");
        WriteCheckedPolicy(NegativeSpecPolicy,
            "{\"VectorSize\":-13,\"ActionSize\":4,\"ActionLow\":[-1,-1,-1,-1],\"ActionHigh\":[1,1,1,1],\"HiddenSizes\":[64,-64],\"EnvId\":\"FetchReach-v4\"}");
        WriteCheckedPolicy(HugeSpecPolicy,
            "{\"VectorSize\":13,\"ActionSize\":4,\"ActionLow\":[-1,-1,-1,-1],\"ActionHigh\":[1,1,1,1],\"HiddenSizes\":[16384,16384,16384,16384],\"EnvId\":\"FetchReach-v4\"}");

        // A run folder (train --out EXISTING) and a run whose checkpoint was cut short (train --resume).
        Directory.CreateDirectory(ExistingRun);
        File.Copy(Policy, Path.Combine(ExistingRun, PolicyTraining.PolicyFileName));
        File.WriteAllText(Path.Combine(ExistingRun, "progress.csv"), "steps,episodes,success_rate,mean_return,steps_per_second\n");
        Directory.CreateDirectory(TruncatedRun);
        string checkpoint = Path.Combine(TruncatedRun, PolicyTraining.CheckpointFileName);
        CheckpointFile.Write(checkpoint, "RBCKPT01"u8, w => w.Write(new byte[4096]));
        byte[] whole = File.ReadAllBytes(checkpoint);
        File.WriteAllBytes(checkpoint, whole[..(whole.Length - 1000)]);
    }

    public string Root { get; }
    public string AFile => Path.Combine(Root, "a-file");
    public string AFolder => Path.Combine(Root, "a-folder");
    public string Users => Path.Combine(Root, "users.txt");
    public string BadSafetyConfig => Path.Combine(Root, "bad-safety.json");
    public string ExistingBag => Path.Combine(Root, "existing.bag");
    public string Policy => Path.Combine(Root, "reach.rbpolicy");
    public string DamagedPolicy => Path.Combine(Root, "damaged.rbpolicy");
    public string TruncatedPolicy => Path.Combine(Root, "truncated.rbpolicy");
    public string MangledSpecPolicy => Path.Combine(Root, "mangled-spec.rbpolicy");
    public string NegativeSpecPolicy => Path.Combine(Root, "negative-spec.rbpolicy");
    public string HugeSpecPolicy => Path.Combine(Root, "huge-spec.rbpolicy");
    public string ExistingRun => Path.Combine(Root, "existing-run");
    public string TruncatedRun => Path.Combine(Root, "truncated-run");
    public string FreshRun => Path.Combine(Root, "fresh-run");

    public static PolicySpec ReachSpec() => new()
    {
        VectorKeys = ["observation", "desired_goal"],
        VectorSize = 13,
        ActionSize = 4,
        ActionLow = [-1, -1, -1, -1],
        ActionHigh = [1, 1, 1, 1],
        HiddenSizes = [64, 64],
        EnvId = "FetchReach-v4",
        Algorithm = "sac-her",
    };

    /// <summary>A policy file whose checksum is intact but whose spec is <paramref name="specJson"/>:
    /// what a hand-edited (re-summed) file looks like, so the spec's own checks must refuse it.</summary>
    private static void WriteCheckedPolicy(string path, string specJson)
    {
        using (var stream = File.Create(path))
        using (var writer = new BinaryWriter(stream, Encoding.UTF8))
        {
            writer.Write("RBPOLICY"u8);
            writer.Write(2);
            writer.Write(specJson);
            writer.Write(new byte[256]);
        }
        FileChecksum.Append(path);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
