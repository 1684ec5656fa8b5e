using System.Buffers.Binary;
using System.Text;
using RobotBridge.Recording.Messages;

namespace RobotBridge.Recording.Bag;

/// <summary>
/// Writes and parses the "name=value" field lists of bag record headers (and of connection record
/// data, which uses the same layout). Values are raw bytes: little-endian integers or text.
/// </summary>
public static class BagRecordHeader
{
    /// <summary>Reserves the uint32 length of a field list; pass the result to <see cref="End"/>.</summary>
    public static int Begin(RosMessageBuffer buffer)
    {
        int start = buffer.Length;
        buffer.WriteUInt32(0);
        return start;
    }

    /// <summary>Patches the field list's length now that all its fields are written.</summary>
    public static void End(RosMessageBuffer buffer, int start) =>
        buffer.PatchUInt32(start, (uint)(buffer.Length - start - 4));

    public static void Field(RosMessageBuffer buffer, string name, byte value)
    {
        Name(buffer, name, 1);
        buffer.WriteUInt8(value);
    }

    public static void Field(RosMessageBuffer buffer, string name, uint value)
    {
        Name(buffer, name, 4);
        buffer.WriteUInt32(value);
    }

    public static void Field(RosMessageBuffer buffer, string name, ulong value)
    {
        Name(buffer, name, 8);
        buffer.WriteUInt64(value);
    }

    public static void Field(RosMessageBuffer buffer, string name, RosTime value)
    {
        Name(buffer, name, 8);
        buffer.WriteTime(value);
    }

    public static void Field(RosMessageBuffer buffer, string name, string value)
    {
        int count = Encoding.UTF8.GetByteCount(value);
        Name(buffer, name, count);
        Encoding.UTF8.GetBytes(value, buffer.Reserve(count));
    }

    private static void Name(RosMessageBuffer buffer, string name, int valueLength)
    {
        buffer.WriteUInt32((uint)(name.Length + 1 + valueLength));
        Encoding.ASCII.GetBytes(name, buffer.Reserve(name.Length));
        buffer.WriteUInt8((byte)'=');
    }

    /// <summary>Parses a field list (without its leading length) into name → raw value.</summary>
    public static Dictionary<string, byte[]> Parse(ReadOnlySpan<byte> fields, string where)
    {
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        int position = 0;
        while (position < fields.Length)
        {
            if (fields.Length - position < 4)
            {
                throw new BagFormatException($"{where}: header field length cut off at byte {position}");
            }
            int length = BinaryPrimitives.ReadInt32LittleEndian(fields[position..]);
            position += 4;
            if (length < 0 || length > fields.Length - position)
            {
                throw new BagFormatException($"{where}: header field of {length} bytes overruns the header at byte {position}");
            }
            ReadOnlySpan<byte> field = fields.Slice(position, length);
            position += length;
            int equals = field.IndexOf((byte)'=');
            if (equals < 0)
            {
                throw new BagFormatException($"{where}: header field '{Encoding.ASCII.GetString(field)}' has no '='");
            }
            result[Encoding.ASCII.GetString(field[..equals])] = field[(equals + 1)..].ToArray();
        }
        return result;
    }

    public static byte[] Required(Dictionary<string, byte[]> fields, string name, int length, string where)
    {
        if (!fields.TryGetValue(name, out byte[]? value))
        {
            throw new BagFormatException($"{where}: header has no '{name}' field");
        }
        if (length >= 0 && value.Length != length)
        {
            throw new BagFormatException($"{where}: field '{name}' has {value.Length} bytes, expected {length}");
        }
        return value;
    }

    public static byte Op(Dictionary<string, byte[]> fields, string where) => Required(fields, "op", 1, where)[0];

    public static uint UInt32(Dictionary<string, byte[]> fields, string name, string where) =>
        BinaryPrimitives.ReadUInt32LittleEndian(Required(fields, name, 4, where));

    public static ulong UInt64(Dictionary<string, byte[]> fields, string name, string where) =>
        BinaryPrimitives.ReadUInt64LittleEndian(Required(fields, name, 8, where));

    public static RosTime Time(Dictionary<string, byte[]> fields, string name, string where)
    {
        byte[] raw = Required(fields, name, 8, where);
        return new RosTime(BinaryPrimitives.ReadUInt32LittleEndian(raw), BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(4)));
    }

    public static string Text(Dictionary<string, byte[]> fields, string name, string where) =>
        Encoding.UTF8.GetString(Required(fields, name, -1, where));
}
