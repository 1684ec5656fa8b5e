using System.Buffers;

namespace RobotBridge.Robots;

/// <summary>Pixel layout of a camera frame.</summary>
public enum PixelFormat
{
    /// <summary>8-bit RGB, 3 bytes per pixel.</summary>
    Rgb8,
    /// <summary>32-bit float depth in metres, 4 bytes per pixel.</summary>
    Depth32F,
}

/// <summary>
/// A head-camera frame held in a pooled buffer. The RGB image and the optional depth image share the
/// stamp. Dispose returns the buffers to their pool; do not touch the spans after that.
/// </summary>
public sealed class CameraFrame : IDisposable
{
    private byte[]? _rgb;
    private float[]? _depth;
    private readonly ArrayPool<byte> _bytePool;
    private readonly ArrayPool<float> _floatPool;

    public CameraFrame(int width, int height, TimeSpan stamp, bool withDepth,
        ArrayPool<byte>? bytePool = null, ArrayPool<float>? floatPool = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        Width = width;
        Height = height;
        Stamp = stamp;
        _bytePool = bytePool ?? ArrayPool<byte>.Shared;
        _floatPool = floatPool ?? ArrayPool<float>.Shared;
        _rgb = _bytePool.Rent(width * height * 3);
        _depth = withDepth ? _floatPool.Rent(width * height) : null;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>Robot-clock time at which the image was captured.</summary>
    public TimeSpan Stamp { get; set; }

    /// <summary>Row-major RGB8, top row first, Width*Height*3 bytes.</summary>
    public Span<byte> Rgb => (_rgb ?? throw new ObjectDisposedException(nameof(CameraFrame))).AsSpan(0, Width * Height * 3);

    public bool HasDepth => _depth is not null;

    /// <summary>Row-major depth in metres along the optical axis, Width*Height floats.</summary>
    public Span<float> Depth => (_depth ?? throw new InvalidOperationException("frame has no depth")).AsSpan(0, Width * Height);

    public void Dispose()
    {
        if (_rgb is { } rgb)
        {
            _rgb = null;
            _bytePool.Return(rgb);
        }
        if (_depth is { } depth)
        {
            _depth = null;
            _floatPool.Return(depth);
        }
    }
}
