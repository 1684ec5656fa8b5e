using RobotBridge.Vision.Interop;

namespace RobotBridge.Vision;

/// <summary>
/// A tag's picture as the library draws it (apriltag_to_image): one byte per cell, 0 black, 255 white,
/// <see cref="Cells"/> x <see cref="Cells"/> cells including the white quiet-zone ring around the black
/// border. For tag36h11 that is 10 cells, of which the black square is the inner 8: a tag printed with
/// its outer edge at 10 units has a black square (the size the pose needs) of 8 units.
/// </summary>
public sealed class TagImage
{
    private readonly byte[] _cells;

    private TagImage(TagFamily family, int id, int cells, int blackCells, byte[] pixels)
    {
        Family = family;
        Id = id;
        Cells = cells;
        BlackCells = blackCells;
        _cells = pixels;
    }

    public TagFamily Family { get; }
    public int Id { get; }

    /// <summary>Cells along one side of the whole picture (quiet zone included).</summary>
    public int Cells { get; }

    /// <summary>Cells along one side of the black square (the tag size the pose estimate takes).</summary>
    public int BlackCells { get; }

    /// <summary>Row-major cells, top row first.</summary>
    public ReadOnlySpan<byte> Pixels => _cells;

    /// <summary>The library's picture of tag <paramref name="id"/> of <paramref name="family"/>.</summary>
    public static unsafe TagImage Render(TagFamily family, int id)
    {
        AprilTagLibrary.EnsureLoaded();
        using var handle = new FamilyHandle(family);
        byte* f = (byte*)handle.DangerousGetHandle();
        uint codes = *(uint*)(f + FamilyLayout.ncodes);
        if (id < 0 || id >= codes)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, $"{TagFamilies.Name(family)} has ids 0 to {codes - 1}");
        }
        int blackCells = *(int*)(f + FamilyLayout.width_at_border);
        IntPtr image = AprilTagNative.apriltag_to_image(handle.DangerousGetHandle(), id);
        if (image == IntPtr.Zero)
        {
            throw new InvalidOperationException($"apriltag_to_image returned nothing for {TagFamilies.Name(family)} id {id}");
        }
        byte* im = (byte*)image;
        byte* buffer = *(byte**)(im + ImageU8Layout.buf);
        try
        {
            int width = *(int*)(im + ImageU8Layout.width);
            int height = *(int*)(im + ImageU8Layout.height);
            int stride = *(int*)(im + ImageU8Layout.stride);
            if (width != height || width <= 0)
            {
                throw new InvalidOperationException($"apriltag_to_image drew a {width}x{height} picture; a square was expected");
            }
            var pixels = new byte[width * height];
            for (int y = 0; y < height; y++)
            {
                new ReadOnlySpan<byte>(buffer + y * stride, width).CopyTo(pixels.AsSpan(y * width, width));
            }
            return new TagImage(family, id, width, blackCells, pixels);
        }
        finally
        {
            // image_u8_destroy (not exported) frees the pixel buffer, then the header.
            AprilTagNative.free((IntPtr)buffer);
            AprilTagNative.free(image);
        }
    }

    /// <summary>The picture scaled up by a whole factor, nearest neighbour (sharp cell edges), as
    /// grayscale rows top first, with <paramref name="margin"/> extra white pixels around it.</summary>
    public byte[] Scaled(int pixelsPerCell, int margin, out int side)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pixelsPerCell);
        ArgumentOutOfRangeException.ThrowIfNegative(margin);
        side = Cells * pixelsPerCell + 2 * margin;
        var scaled = new byte[side * side];
        scaled.AsSpan().Fill(255);
        for (int y = 0; y < Cells * pixelsPerCell; y++)
        {
            for (int x = 0; x < Cells * pixelsPerCell; x++)
            {
                scaled[(y + margin) * side + x + margin] = _cells[y / pixelsPerCell * Cells + x / pixelsPerCell];
            }
        }
        return scaled;
    }
}
