namespace RobotBridge.Vision;

/// <summary>RGB8 to 8-bit luma, ITU-R BT.601 weights in 8-bit fixed point (what OpenCV's and the
/// library's own PNM loader use, to within rounding).</summary>
public static class Grayscale
{
    public static void FromRgb(ReadOnlySpan<byte> rgb, Span<byte> gray)
    {
        int pixels = rgb.Length / 3;
        if (gray.Length < pixels)
        {
            throw new ArgumentException($"gray buffer holds {gray.Length} bytes, {pixels} needed", nameof(gray));
        }
        for (int i = 0, j = 0; i < pixels; i++, j += 3)
        {
            gray[i] = (byte)((77 * rgb[j] + 150 * rgb[j + 1] + 29 * rgb[j + 2] + 128) >> 8);
        }
    }
}
