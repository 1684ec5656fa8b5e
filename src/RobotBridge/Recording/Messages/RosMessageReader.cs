using System.Buffers.Binary;
using System.Text;

namespace RobotBridge.Recording.Messages;

/// <summary>
/// Reads ROS 1 serialized message fields from a span, front to back. Running past the end throws
/// <see cref="FormatException"/> naming what was being read, so a truncated message never turns
/// into silent garbage.
/// </summary>
public ref struct RosMessageReader
{
    private readonly ReadOnlySpan<byte> _bytes;
    private int _position;

    public RosMessageReader(ReadOnlySpan<byte> bytes)
    {
        _bytes = bytes;
        _position = 0;
    }

    public readonly int Remaining => _bytes.Length - _position;

    public byte ReadUInt8() => Take(1, "uint8")[0];

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, "uint32"));

    public double ReadFloat64() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8, "float64"));

    public RosTime ReadTime() => new(ReadUInt32(), ReadUInt32());

    public string ReadString()
    {
        int count = ReadLength(1, "string");
        return Encoding.UTF8.GetString(Take(count, "string bytes"));
    }

    public double[] ReadFloat64Array()
    {
        int count = ReadLength(8, "float64[]");
        var values = new double[count];
        ReadOnlySpan<byte> bytes = Take(count * 8, "float64[] values");
        for (int i = 0; i < count; i++)
        {
            values[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes.Slice(i * 8, 8));
        }
        return values;
    }

    public ReadOnlySpan<byte> ReadUInt8Array() => Take(ReadLength(1, "uint8[]"), "uint8[] values");

    private int ReadLength(int elementSize, string what)
    {
        uint count = ReadUInt32();
        if (count > (uint)(Remaining / elementSize))
        {
            throw new FormatException($"{what} claims {count} elements but only {Remaining} bytes remain");
        }
        return (int)count;
    }

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if (count > Remaining)
        {
            throw new FormatException($"message ends while reading {what} at byte {_position} ({Remaining} bytes left, {count} needed)");
        }
        ReadOnlySpan<byte> slice = _bytes.Slice(_position, count);
        _position += count;
        return slice;
    }
}
