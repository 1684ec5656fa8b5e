using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace RobotBridge.Recording.Messages;

/// <summary>
/// A reusable, growable buffer that serializes ROS 1 message fields (little-endian, strings and
/// variable arrays prefixed by a uint32 length). <see cref="Clear"/> keeps the capacity, so a
/// recorder that reuses one buffer stops allocating once it has seen its largest message.
/// </summary>
public sealed class RosMessageBuffer
{
    private byte[] _bytes;
    private int _length;

    public RosMessageBuffer(int initialCapacity = 256)
    {
        _bytes = new byte[Math.Max(16, initialCapacity)];
    }

    /// <summary>The bytes written since the last <see cref="Clear"/>.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _bytes.AsSpan(0, _length);

    public int Length => _length;

    public void Clear() => _length = 0;

    public void WriteUInt8(byte value) => Reserve(1)[0] = value;

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), value);

    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), value);

    public void WriteFloat64(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Reserve(8), value);

    /// <summary>ROS time: uint32 seconds, uint32 nanoseconds.</summary>
    public void WriteTime(RosTime time)
    {
        WriteUInt32(time.Seconds);
        WriteUInt32(time.Nanoseconds);
    }

    /// <summary>uint32 byte count, then the UTF-8 bytes (no terminator).</summary>
    public void WriteString(string value)
    {
        int count = Encoding.UTF8.GetByteCount(value);
        WriteUInt32((uint)count);
        Encoding.UTF8.GetBytes(value, Reserve(count));
    }

    /// <summary>A variable-length float64[]: uint32 count, then the values.</summary>
    public void WriteFloat64Array(ReadOnlySpan<double> values)
    {
        WriteUInt32((uint)values.Length);
        Span<byte> target = Reserve(values.Length * 8);
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(target.Slice(i * 8, 8), values[i]);
        }
    }

    /// <summary>A variable-length uint8[]: uint32 count, then the bytes.</summary>
    public void WriteUInt8Array(ReadOnlySpan<byte> values)
    {
        WriteUInt32((uint)values.Length);
        values.CopyTo(Reserve(values.Length));
    }

    /// <summary>Raw bytes with no length prefix.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    /// <summary>Overwrites a uint32 written earlier at <paramref name="offset"/> (a length known only later).</summary>
    public void PatchUInt32(int offset, uint value) =>
        BinaryPrimitives.WriteUInt32LittleEndian(_bytes.AsSpan(offset, 4), value);

    /// <summary>Hands out <paramref name="count"/> bytes at the end, growing the buffer if needed.</summary>
    public Span<byte> Reserve(int count)
    {
        if (_length + count > _bytes.Length)
        {
            long wanted = Math.Max((long)_bytes.Length * 2, (long)_length + count);
            if (wanted > Array.MaxLength)
            {
                throw new InvalidOperationException($"message buffer would exceed {Array.MaxLength} bytes");
            }
            Array.Resize(ref _bytes, (int)wanted);
        }
        Span<byte> span = _bytes.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
