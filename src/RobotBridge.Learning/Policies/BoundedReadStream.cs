namespace RobotBridge.Learning.Policies;

/// <summary>A read-only view of the first <c>length</c> bytes of a seekable stream (which it owns):
/// a checked file's content without its checksum trailer, so readers that test
/// <c>Position &lt; Length</c> for optional trailing sections see only content.</summary>
internal sealed class BoundedReadStream(Stream inner, long length) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = Math.Clamp(value, 0, length);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        long left = length - inner.Position;
        if (left <= 0) return 0;
        return inner.Read(buffer[..(int)Math.Min(buffer.Length, left)]);
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => Position + offset,
        _ => length + offset,
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
