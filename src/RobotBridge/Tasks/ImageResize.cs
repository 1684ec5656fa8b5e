namespace RobotBridge.Tasks;

/// <summary>Resizes camera images into observation buffers without allocating.</summary>
public static class ImageResize
{
    /// <summary>Nearest-neighbour resize of an RGB8 image (row-major, top row first). Cheap and exact when
    /// the camera already renders at the observation size, which the twin does for camera tasks.</summary>
    public static void NearestRgb(ReadOnlySpan<byte> source, int sourceWidth, int sourceHeight, Span<byte> destination, int width, int height)
    {
        if (source.Length < sourceWidth * sourceHeight * 3 || destination.Length < width * height * 3)
        {
            throw new ArgumentException($"image buffers too small for {sourceWidth}x{sourceHeight} -> {width}x{height} RGB");
        }
        if (sourceWidth == width && sourceHeight == height)
        {
            source[..(width * height * 3)].CopyTo(destination);
            return;
        }
        for (int y = 0; y < height; y++)
        {
            int sy = (int)((y + 0.5) * sourceHeight / height);
            for (int x = 0; x < width; x++)
            {
                int sx = (int)((x + 0.5) * sourceWidth / width);
                source.Slice((sy * sourceWidth + sx) * 3, 3).CopyTo(destination.Slice((y * width + x) * 3, 3));
            }
        }
    }
}
