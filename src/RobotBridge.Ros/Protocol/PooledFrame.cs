using System.Buffers;

namespace RobotBridge.Ros.Protocol;

/// <summary>
/// One outgoing WebSocket message in a buffer rented from <see cref="ArrayPool{T}"/>. Writers fill it
/// through <see cref="IBufferWriter{T}"/>; whoever sends it (or drops it) calls <see cref="Dispose"/>.
/// </summary>
public sealed class PooledFrame : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private int _written;

    public PooledFrame(bool isText, int initialCapacity = 256)
    {
        IsText = isText;
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
    }

    /// <summary>Text (JSON) or binary (CBOR) WebSocket message.</summary>
    public bool IsText { get; }

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _written);

    public int Length => _written;

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        _written += bytes.Length;
    }

    private void Ensure(int sizeHint)
    {
        int needed = _written + Math.Max(sizeHint, 1);
        if (needed <= _buffer.Length)
        {
            return;
        }
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
        _buffer.AsSpan(0, _written).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        _written = 0;
    }
}
