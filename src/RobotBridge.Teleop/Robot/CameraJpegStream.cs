using System.Buffers;
using System.Runtime.InteropServices;
using RobotBridge.Robots;
using SkiaSharp;

namespace RobotBridge.Teleop.Robot;

/// <summary>
/// Turns head-camera frames into a throttled JPEG stream for operators. <see cref="Offer"/> is cheap
/// for the caller (the control loop): when a frame is due it copies the pixels into a pooled buffer
/// and encodes on the thread pool; otherwise, or while the previous encode is still running, it
/// does nothing. The caller keeps ownership of the frame.
/// </summary>
internal sealed class CameraJpegStream(TimeSpan period, int quality, TimeProvider time, Action<byte[], int, int, TimeSpan> publish)
{
    private long _nextDue;
    private int _encoding;

    /// <summary>Frames encoded so far.</summary>
    public long Encoded;

    public void Offer(CameraFrame frame)
    {
        long now = time.GetTimestamp();
        if (now < Interlocked.Read(ref _nextDue) || Interlocked.CompareExchange(ref _encoding, 1, 0) != 0)
        {
            return;
        }
        Interlocked.Exchange(ref _nextDue, now + (long)(period.TotalSeconds * time.TimestampFrequency));
        int width = frame.Width, height = frame.Height;
        TimeSpan stamp = frame.Stamp;
        // RGB → RGBA while copying: Skia has no 24-bit pixel format.
        byte[] rgba = ArrayPool<byte>.Shared.Rent(width * height * 4);
        ReadOnlySpan<byte> rgb = frame.Rgb;
        for (int i = 0, j = 0; i < width * height; i++, j += 3)
        {
            rgba[4 * i] = rgb[j];
            rgba[4 * i + 1] = rgb[j + 1];
            rgba[4 * i + 2] = rgb[j + 2];
            rgba[4 * i + 3] = 255;
        }
        ThreadPool.UnsafeQueueUserWorkItem(_ =>
        {
            try
            {
                byte[] jpeg = Encode(rgba, width, height, quality);
                Interlocked.Increment(ref Encoded);
                publish(jpeg, width, height, stamp);
            }
            catch (Exception)
            {
                // A frame that cannot be encoded is skipped; the stream is a view, not a safety input.
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rgba);
                Volatile.Write(ref _encoding, 0);
            }
        }, null);
    }

    private static byte[] Encode(byte[] rgba, int width, int height, int quality)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var pinned = GCHandle.Alloc(rgba, GCHandleType.Pinned);
        try
        {
            using var pixmap = new SKPixmap(info, pinned.AddrOfPinnedObject(), width * 4);
            using var data = pixmap.Encode(SKEncodedImageFormat.Jpeg, quality)
                ?? throw new InvalidOperationException($"Skia could not encode a {width}x{height} JPEG");
            return data.ToArray();
        }
        finally
        {
            pinned.Free();
        }
    }
}
