using System.Text;

namespace RobotBridge.Vision;

/// <summary>Writes binary PGM (P5) images, the format the <c>apriltag</c> command reads.</summary>
public static class PortableGraymap
{
    public static void Write(string path, ReadOnlySpan<byte> gray, int width, int height)
    {
        if (gray.Length < width * height)
        {
            throw new ArgumentException($"{gray.Length} bytes do not hold a {width}x{height} image", nameof(gray));
        }
        using var file = File.Create(path);
        file.Write(Encoding.ASCII.GetBytes($"P5\n{width} {height}\n255\n"));
        file.Write(gray[..(width * height)]);
    }
}
