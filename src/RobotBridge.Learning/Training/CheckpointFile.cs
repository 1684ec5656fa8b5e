using System.Text;
using RobotBridge.Learning.Policies;

namespace RobotBridge.Learning.Training;

/// <summary>
/// Shared mechanics of trainer checkpoints: a magic tag, written to a temporary file that replaces
/// the old checkpoint only when complete (a crash never leaves a half-written checkpoint), and the
/// policy restored only if its spec matches the run's.
/// </summary>
public static class CheckpointFile
{
    /// <summary>Writes <paramref name="magic"/> then the body, atomically replacing <paramref name="path"/>.</summary>
    public static void Write(string path, ReadOnlySpan<byte> magic, Action<BinaryWriter> body)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        string temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(magic);
            body(writer);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Opens a checkpoint and checks its tag; <paramref name="kind"/> names it in errors.</summary>
    public static BinaryReader Open(string path, ReadOnlySpan<byte> magic, string kind)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint '{path}' does not exist", path);
        var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
        if (!reader.ReadBytes(magic.Length).AsSpan().SequenceEqual(magic))
        {
            reader.Dispose();
            throw new InvalidDataException($"'{path}' is not a {kind} checkpoint");
        }
        return reader;
    }

    /// <summary>Reads the policy stored in a checkpoint into <paramref name="policy"/>, refusing one for another env or layout.</summary>
    public static void RestorePolicy(BinaryReader reader, SquashedGaussianPolicy policy, string path)
    {
        using var saved = PolicyFile.Read(reader.BaseStream);
        if (saved.Spec.ToJson() != policy.Spec.ToJson())
            throw new InvalidDataException($"checkpoint '{path}' was made for {saved.Spec.EnvId} with another policy layout; this run trains {policy.Spec.EnvId}");
        policy.CopyFrom(saved);
    }
}
