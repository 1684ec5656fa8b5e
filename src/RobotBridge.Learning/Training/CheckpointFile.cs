using System.Text;
using RobotBridge.Learning.Policies;

namespace RobotBridge.Learning.Training;

/// <summary>
/// Shared mechanics of trainer checkpoints: a magic tag, written to a temporary file that replaces
/// the old checkpoint only when complete (a crash never leaves a half-written checkpoint), a
/// checksum (<see cref="FileChecksum"/>) checked before anything is read, and the policy restored
/// only if its spec matches the run's. Layout: "RBCHKSUM", the trainer's magic, its body, the
/// checksum trailer. Checkpoints written before checksums start with the trainer's magic: they
/// still resume, with a warning.
/// </summary>
public static class CheckpointFile
{
    /// <summary>Leads every checkpoint that ends with a checksum trailer: without it, a file cut short
    /// would be indistinguishable from an old checkpoint that never had one.</summary>
    private static readonly byte[] ChecksummedMagic = "RBCHKSUM"u8.ToArray();

    /// <summary>Writes <paramref name="magic"/> then the body, atomically replacing <paramref name="path"/>.</summary>
    public static void Write(string path, ReadOnlySpan<byte> magic, Action<BinaryWriter> body)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        string temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(ChecksummedMagic);
            writer.Write(magic);
            body(writer);
        }
        FileChecksum.Append(temporary);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// Opens a checkpoint, checks its checksum and its tag; <paramref name="kind"/> names it in errors.
    /// The reader's stream ends where the content ends (before the trailer). A checkpoint without a
    /// checksum (written before they existed) opens and <paramref name="warning"/> says so.
    /// </summary>
    public static BinaryReader Open(string path, ReadOnlySpan<byte> magic, string kind, Action<string>? warning = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint '{path}' does not exist", path);
        Stream stream;
        if (StartsWith(path, ChecksummedMagic))
        {
            long content = FileChecksum.Verify(path, $"{kind} checkpoint");
            stream = new BoundedReadStream(File.OpenRead(path), content);
            stream.Position = ChecksummedMagic.Length;
        }
        else
        {
            warning?.Invoke($"checkpoint '{path}' has no checksum (written before checkpoints carried one), so damage to it cannot be detected; " +
                            "the next checkpoint of this run will carry one");
            stream = File.OpenRead(path);
        }
        var reader = new BinaryReader(stream, Encoding.UTF8);
        if (!reader.ReadBytes(magic.Length).AsSpan().SequenceEqual(magic))
        {
            reader.Dispose();
            throw new InvalidDataException($"'{path}' is not a {kind} checkpoint");
        }
        return reader;
    }

    /// <summary>Runs a trainer's checkpoint load, turning a file that ends early or holds nonsense
    /// (possible only without a checksum) into one message naming the file.</summary>
    public static void Load(string path, Action load)
    {
        try
        {
            load();
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or FormatException or System.Text.Json.JsonException)
        {
            throw new InvalidDataException($"checkpoint '{path}' is truncated or damaged: {e.Message}", e);
        }
    }

    private static bool StartsWith(string path, byte[] prefix)
    {
        using var file = File.OpenRead(path);
        var head = new byte[prefix.Length];
        int n = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return n == head.Length && head.AsSpan().SequenceEqual(prefix);
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
