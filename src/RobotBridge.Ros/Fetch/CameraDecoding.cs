using System.Buffers.Binary;
using System.Runtime.InteropServices;
using RobotBridge.Robots;
using RobotBridge.Ros.Messages;
using SkiaSharp;

namespace RobotBridge.Ros.Fetch;

/// <summary>
/// Turns head-camera messages into <see cref="CameraFrame"/>s (pooled buffers): raw rgb8, bgr8,
/// mono8, depth 16UC1 (mm) and 32FC1 (m), and compressed JPEG/PNG. Faults are
/// <see cref="FormatException"/>s naming the encoding and the size mismatch.
/// </summary>
public static class CameraDecoding
{
    /// <summary>Decodes a colour image into a new frame with the given capture stamp.</summary>
    public static CameraFrame FromImage(Image image, TimeSpan stamp)
    {
        int w = checked((int)image.Width), h = checked((int)image.Height);
        if (w <= 0 || h <= 0)
        {
            throw new FormatException($"image has no pixels ({w}x{h})");
        }
        int bpp = image.Encoding switch
        {
            "rgb8" or "bgr8" => 3,
            "rgba8" or "bgra8" => 4,
            "mono8" or "8UC1" => 1,
            _ => throw new FormatException($"unsupported colour encoding '{image.Encoding}' (rgb8, bgr8, rgba8, bgra8, mono8)"),
        };
        int step = image.Step == 0 ? w * bpp : checked((int)image.Step);
        if (step < w * bpp || image.Data.Count < step * (h - 1) + w * bpp)
        {
            throw new FormatException($"{image.Encoding} image {w}x{h} step {step} needs {step * h} bytes, got {image.Data.Count}");
        }
        var frame = new CameraFrame(w, h, stamp, withDepth: false);
        var src = image.Data.Span;
        var dst = frame.Rgb;
        for (int y = 0; y < h; y++)
        {
            var row = src.Slice(y * step, w * bpp);
            var outRow = dst.Slice(y * w * 3, w * 3);
            switch (image.Encoding)
            {
                case "rgb8":
                    row.CopyTo(outRow);
                    break;
                case "mono8":
                case "8UC1":
                    for (int x = 0; x < w; x++)
                    {
                        outRow[3 * x] = outRow[3 * x + 1] = outRow[3 * x + 2] = row[x];
                    }
                    break;
                default:
                    bool bgr = image.Encoding[0] == 'b';
                    for (int x = 0; x < w; x++)
                    {
                        outRow[3 * x] = row[bpp * x + (bgr ? 2 : 0)];
                        outRow[3 * x + 1] = row[bpp * x + 1];
                        outRow[3 * x + 2] = row[bpp * x + (bgr ? 0 : 2)];
                    }
                    break;
            }
        }
        return frame;
    }

    /// <summary>Depth in metres from a 16UC1 (millimetres, 0 = no reading → NaN) or 32FC1 image.</summary>
    public static void DepthInto(Image image, Span<float> metres)
    {
        int w = checked((int)image.Width), h = checked((int)image.Height);
        if (metres.Length != w * h)
        {
            throw new FormatException($"depth image is {w}x{h}, the frame holds {metres.Length} pixels");
        }
        int bpp = image.Encoding switch
        {
            "16UC1" or "mono16" => 2,
            "32FC1" => 4,
            _ => throw new FormatException($"unsupported depth encoding '{image.Encoding}' (16UC1, 32FC1)"),
        };
        int step = image.Step == 0 ? w * bpp : checked((int)image.Step);
        if (image.Data.Count < step * (h - 1) + w * bpp)
        {
            throw new FormatException($"{image.Encoding} image {w}x{h} needs {step * h} bytes, got {image.Data.Count}");
        }
        var src = image.Data.Span;
        for (int y = 0; y < h; y++)
        {
            var row = src.Slice(y * step, w * bpp);
            var outRow = metres.Slice(y * w, w);
            if (bpp == 4)
            {
                var floats = MemoryMarshal.Cast<byte, float>(row);
                if (image.IsBigEndian)
                {
                    for (int x = 0; x < w; x++)
                    {
                        outRow[x] = BinaryPrimitives.ReadSingleBigEndian(row.Slice(4 * x));
                    }
                }
                else
                {
                    floats.CopyTo(outRow);
                }
            }
            else
            {
                for (int x = 0; x < w; x++)
                {
                    ushort mm = image.IsBigEndian ? BinaryPrimitives.ReadUInt16BigEndian(row.Slice(2 * x)) : BinaryPrimitives.ReadUInt16LittleEndian(row.Slice(2 * x));
                    outRow[x] = mm == 0 ? float.NaN : mm * 0.001f;
                }
            }
        }
    }

    /// <summary>Decodes a JPEG or PNG CompressedImage.</summary>
    public static CameraFrame FromCompressed(CompressedImage image, TimeSpan stamp)
    {
        using var bitmap = SKBitmap.Decode(image.Data.Span) ?? throw new FormatException(
            $"compressed image (format '{image.Format}', {image.Data.Count} bytes) is not a decodable JPEG or PNG");
        using var rgba = bitmap.ColorType == SKColorType.Rgba8888 ? null : bitmap.Copy(SKColorType.Rgba8888);
        var source = rgba ?? bitmap;
        if (source is null)
        {
            throw new FormatException($"compressed image could not be converted to RGBA ({bitmap.ColorType})");
        }
        var frame = new CameraFrame(source.Width, source.Height, stamp, withDepth: false);
        var pixels = source.GetPixelSpan();
        var dst = frame.Rgb;
        int n = source.Width * source.Height;
        for (int i = 0; i < n; i++)
        {
            dst[3 * i] = pixels[4 * i];
            dst[3 * i + 1] = pixels[4 * i + 1];
            dst[3 * i + 2] = pixels[4 * i + 2];
        }
        return frame;
    }
}
