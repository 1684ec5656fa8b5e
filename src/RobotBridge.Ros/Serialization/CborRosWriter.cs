using System.Formats.Cbor;
using System.Numerics;
using System.Runtime.InteropServices;
using RobotBridge.Ros.Protocol;

namespace RobotBridge.Ros.Serialization;

/// <summary>
/// Writes message bodies as rosbridge's <c>cbor</c> compression does: float scalars as float64,
/// numeric arrays as typed-array tags over little-endian bytes, uint8[] as an untagged byte string.
/// Unlike rosbridge it also encodes string[] and fixed-size arrays (reference §4.4).
/// </summary>
public sealed class CborRosWriter : RosWriter
{
    private readonly CborWriter _cbor;

    public CborRosWriter(CborWriter cbor, RosDialect dialect) : base(dialect) => _cbor = cbor;

    public override void BeginMessage(int fieldCount) => _cbor.WriteStartMap(fieldCount);
    public override void EndMessage() => _cbor.WriteEndMap();
    public override void Field(string name) => _cbor.WriteTextString(name);
    public override void Bool(bool value) => _cbor.WriteBoolean(value);
    public override void Int(long value) => _cbor.WriteInt64(value);
    public override void UInt(ulong value) => _cbor.WriteUInt64(value);
    public override void Double(double value) => _cbor.WriteDouble(value);
    public override void String(string value) => _cbor.WriteTextString(value);
    public override void Bytes(ReadOnlySpan<byte> value) => _cbor.WriteByteString(value);

    public override void Numbers<T>(ReadOnlySpan<T> values)
    {
        _cbor.WriteTag(CborTypedArrays.TagOf<T>());
        if (BitConverter.IsLittleEndian)
        {
            _cbor.WriteByteString(MemoryMarshal.AsBytes(values));
            return;
        }
        // Big-endian host: swap each element into a temporary little-endian copy.
        int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        var bytes = new byte[values.Length * size];
        MemoryMarshal.AsBytes(values).CopyTo(bytes);
        for (int i = 0; i < bytes.Length; i += size)
        {
            bytes.AsSpan(i, size).Reverse();
        }
        _cbor.WriteByteString(bytes);
    }

    public override void StringArray(IReadOnlyList<string> values)
    {
        _cbor.WriteStartArray(values.Count);
        for (int i = 0; i < values.Count; i++)
        {
            _cbor.WriteTextString(values[i]);
        }
        _cbor.WriteEndArray();
    }

    public override void BeginArray(int count) => _cbor.WriteStartArray(count);
    public override void EndArray() => _cbor.WriteEndArray();
}
