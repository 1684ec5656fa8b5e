using System.Security.Cryptography;

namespace RobotBridge.Learning.Policies;

/// <summary>
/// Integrity of policy files and checkpoints: a 40-byte trailer, "RBSHA256" then the SHA-256 of every
/// byte before it. A trailer rather than a header because the hash is known only once the content is
/// written; in the file rather than a sidecar because a copied or renamed file keeps its checksum and
/// cannot be paired with another file's. The reader verifies before it parses a byte of content, so a
/// damaged header cannot make it build a huge network. SHA-256 detects damage (bit rot, a partial copy,
/// an edit); it is not a signature: whoever can write the file can write a matching checksum.
/// </summary>
public static class FileChecksum
{
    private static readonly byte[] Magic = "RBSHA256"u8.ToArray();

    /// <summary>Length of the trailer: the magic and the 32-byte SHA-256.</summary>
    public const int TrailerLength = 8 + 32;

    /// <summary>Appends the trailer to the complete file at <paramref name="path"/>.</summary>
    public static void Append(string path)
    {
        byte[] hash;
        using (var content = File.OpenRead(path))
        {
            hash = SHA256.HashData(content);
        }
        using var file = new FileStream(path, FileMode.Append, FileAccess.Write);
        file.Write(Magic);
        file.Write(hash);
    }

    /// <summary>
    /// Checks the trailer of a file that must carry one and returns the length of its content (the
    /// bytes before the trailer). Throws <see cref="InvalidDataException"/> naming <paramref name="kind"/>
    /// when the trailer is missing (a truncated file) or does not match (a damaged one).
    /// </summary>
    public static long Verify(string path, string kind)
    {
        using var file = File.OpenRead(path);
        long length = file.Length;
        var trailer = new byte[TrailerLength];
        if (length < TrailerLength || ReadAt(file, length - TrailerLength, trailer) < TrailerLength || !trailer.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{kind} '{path}' is truncated: its checksum trailer is missing ({length} bytes); use an intact copy");
        }
        file.Position = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        for (long left = length - TrailerLength; left > 0;)
        {
            int n = file.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (n == 0) throw new InvalidDataException($"{kind} '{path}' ended while its checksum was checked");
            hash.AppendData(buffer, 0, n);
            left -= n;
        }
        byte[] actual = hash.GetHashAndReset();
        if (!actual.AsSpan().SequenceEqual(trailer.AsSpan(Magic.Length)))
        {
            throw new InvalidDataException(
                $"{kind} '{path}' is damaged: the SHA-256 of its content ({Convert.ToHexStringLower(actual)[..16]}…) differs from the checksum " +
                $"written with it ({Convert.ToHexStringLower(trailer.AsSpan(Magic.Length))[..16]}…); it changed after it was saved — use an intact copy");
        }
        return length - TrailerLength;
    }

    private static int ReadAt(Stream file, long position, byte[] into)
    {
        file.Position = position;
        int total = 0;
        while (total < into.Length)
        {
            int n = file.Read(into, total, into.Length - total);
            if (n == 0) break;
            total += n;
        }
        return total;
    }
}
