using System.Text;
using TorchSharp;
using TorchSharp.PyBridge;

namespace RobotBridge.Learning.Policies;

/// <summary>
/// The policy file: magic "RBPOLICY", format version, the <see cref="PolicySpec"/> as JSON, then
/// the module's weights and buffers (normaliser statistics included) in TorchSharp's format.
/// Interop with PyTorch goes through state dicts (<see cref="ExportStateDict"/>, <see cref="ImportStateDict"/>).
/// </summary>
public static class PolicyFile
{
    private static readonly byte[] Magic = "RBPOLICY"u8.ToArray();
    private const int FormatVersion = 1;

    public static void Save(SquashedGaussianPolicy policy, string path)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        string temporary = path + ".tmp"; // replaced only when complete: a crash never leaves half a policy
        using (var stream = File.Create(temporary))
        {
            Write(policy, stream);
        }
        File.Move(temporary, path, overwrite: true);
    }

    public static void Write(SquashedGaussianPolicy policy, Stream stream)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write(policy.Spec.ToJson());
        policy.save(writer);
    }

    public static SquashedGaussianPolicy Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"policy file '{path}' does not exist", path);
        using var stream = File.OpenRead(path);
        try
        {
            return Read(stream);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or ArgumentException)
        {
            throw new InvalidDataException($"'{path}' is not a readable RobotBridge policy file: {e.Message}", e);
        }
    }

    public static SquashedGaussianPolicy Read(Stream stream)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        byte[] magic = reader.ReadBytes(Magic.Length);
        if (!magic.AsSpan().SequenceEqual(Magic)) throw new InvalidDataException("missing the RBPOLICY header");
        int version = reader.ReadInt32();
        if (version != FormatVersion) throw new InvalidDataException($"format version {version}; this build reads version {FormatVersion}");
        var spec = PolicySpec.FromJson(reader.ReadString());
        var policy = new SquashedGaussianPolicy(spec);
        policy.load(reader);
        policy.Normalizer.PullFromBuffers();
        policy.eval();
        return policy;
    }

    /// <summary>Writes the weights and normaliser buffers as a PyTorch state dict (<c>torch.load</c>-able).</summary>
    public static void ExportStateDict(SquashedGaussianPolicy policy, string path) => policy.save_py(path);

    /// <summary>Loads a PyTorch state dict (e.g. trained in Python) into a policy built from <paramref name="spec"/>.</summary>
    public static SquashedGaussianPolicy ImportStateDict(PolicySpec spec, string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"state dict '{path}' does not exist", path);
        var policy = new SquashedGaussianPolicy(spec);
        policy.load_py(path);
        policy.Normalizer.PullFromBuffers();
        policy.eval();
        return policy;
    }
}
