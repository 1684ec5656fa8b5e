using System.Text;
using System.Text.Json;
using TorchSharp;
using TorchSharp.PyBridge;

namespace RobotBridge.Learning.Policies;

/// <summary>
/// The policy file: magic "RBPOLICY", format version, the <see cref="PolicySpec"/> as JSON, then
/// the module's weights and buffers (normaliser statistics included) in TorchSharp's format, then
/// (from version 2, saved files only) the <see cref="FileChecksum"/> trailer. A version-1 file has no
/// checksum: it still loads, with a warning that its integrity cannot be checked.
/// Interop with PyTorch goes through state dicts (<see cref="ExportStateDict"/>, <see cref="ImportStateDict"/>).
/// </summary>
public static class PolicyFile
{
    private static readonly byte[] Magic = "RBPOLICY"u8.ToArray();

    /// <summary>Version 2 = version 1's layout; a file saved by <see cref="Save"/> ends with a checksum trailer.
    /// (A policy inside a checkpoint has none of its own: the checkpoint's trailer covers it.)</summary>
    private const int FormatVersion = 2;
    private const int UncheckedVersion = 1;

    public static void Save(SquashedGaussianPolicy policy, string path)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        string temporary = path + ".tmp"; // replaced only when complete: a crash never leaves half a policy
        using (var stream = File.Create(temporary))
        {
            Write(policy, stream);
        }
        FileChecksum.Append(temporary);
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

    /// <summary>
    /// Loads a saved policy after checking its checksum. A damaged or truncated file is refused
    /// (<see cref="InvalidDataException"/>); a version-1 file, written before policies carried a
    /// checksum, loads and <paramref name="warning"/> is told that its integrity was not checked.
    /// </summary>
    public static SquashedGaussianPolicy Load(string path, Action<string>? warning = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"policy file '{path}' does not exist", path);
        try
        {
            bool hasChecksum = VersionOf(path) != UncheckedVersion;
            long content = hasChecksum ? FileChecksum.Verify(path, "policy file") : new FileInfo(path).Length;
            if (!hasChecksum)
            {
                warning?.Invoke($"policy file '{path}' has no checksum (written before policy files carried one), so damage to it cannot be detected; " +
                                "re-save it (train --resume, or load and save) to add one");
            }
            using var stream = new BoundedReadStream(File.OpenRead(path), content);
            return Read(stream);
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or JsonException or FormatException or NotSupportedException)
        {
            throw new InvalidDataException($"'{path}' is not a readable RobotBridge policy file: {e.Message}", e);
        }
        catch (InvalidDataException e) when (!e.Message.Contains(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"'{path}' is not a readable RobotBridge policy file: {e.Message}", e);
        }
    }

    /// <summary>The format version in the header (without parsing further), checking the magic.</summary>
    private static int VersionOf(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        if (reader.BaseStream.Length < Magic.Length + sizeof(int) || !reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
            throw new InvalidDataException("missing the RBPOLICY header");
        return reader.ReadInt32();
    }

    public static SquashedGaussianPolicy Read(Stream stream)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        byte[] magic = reader.ReadBytes(Magic.Length);
        if (!magic.AsSpan().SequenceEqual(Magic)) throw new InvalidDataException("missing the RBPOLICY header");
        int version = reader.ReadInt32();
        if (version is not (UncheckedVersion or FormatVersion)) throw new InvalidDataException($"format version {version}; this build reads versions {UncheckedVersion} and {FormatVersion}");
        var spec = PolicySpec.FromJson(reader.ReadString());
        var policy = new SquashedGaussianPolicy(spec);
        try
        {
            policy.load(reader);
        }
        catch
        {
            policy.Dispose();
            throw;
        }
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
