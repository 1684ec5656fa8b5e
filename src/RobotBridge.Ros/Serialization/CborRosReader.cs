using System.Formats.Cbor;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace RobotBridge.Ros.Serialization;

/// <summary>
/// Reads a rosbridge CBOR message body. Typed arrays (tags 69–86) are copied straight from the
/// frame into the pooled target; float scalars may be half, single or double precision; key order
/// is not assumed.
/// </summary>
public sealed class CborRosReader : RosReader
{
    private CborReader _cbor;

    public CborRosReader(CborReader cbor) => _cbor = cbor;

    public void Reset(CborReader cbor) => _cbor = cbor;

    /// <summary>Set while decoding a frame whose array a large byte string may be taken from (see
    /// <see cref="Protocol.FrameDonation"/>).</summary>
    internal Protocol.FrameDonation? Donation { get; set; }

    public override void BeginMessage()
    {
        var state = _cbor.PeekState();
        if (state != CborReaderState.StartMap)
        {
            throw Mismatch("a map", state);
        }
        _cbor.ReadStartMap();
    }

    protected override bool MoveToField(out ReadOnlySpan<byte> name)
    {
        var state = _cbor.PeekState();
        if (state == CborReaderState.EndMap)
        {
            _cbor.ReadEndMap();
            name = default;
            return false;
        }
        if (state != CborReaderState.TextString)
        {
            throw Mismatch("a text key", state);
        }
        name = _cbor.ReadDefiniteLengthTextStringBytes().Span;
        return true;
    }

    public override void Skip() => _cbor.SkipValue();

    public override bool ReadBool()
    {
        var state = _cbor.PeekState();
        return state == CborReaderState.Boolean ? _cbor.ReadBoolean() : throw Mismatch("a bool", state);
    }

    public override long ReadInt()
    {
        var state = _cbor.PeekState();
        return state is CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger
            ? _cbor.ReadInt64()
            : throw Mismatch("an integer", state);
    }

    public override ulong ReadUInt()
    {
        var state = _cbor.PeekState();
        return state == CborReaderState.UnsignedInteger ? _cbor.ReadUInt64() : throw Mismatch("an unsigned integer", state);
    }

    public override double ReadDouble()
    {
        var state = _cbor.PeekState();
        switch (state)
        {
            case CborReaderState.HalfPrecisionFloat:
            case CborReaderState.SinglePrecisionFloat:
            case CborReaderState.DoublePrecisionFloat:
                return _cbor.ReadDouble();
            case CborReaderState.UnsignedInteger:
            case CborReaderState.NegativeInteger:
                return _cbor.ReadInt64();
            case CborReaderState.Null:
                _cbor.ReadNull();
                return double.NaN;
            default:
                throw Mismatch("a number", state);
        }
    }

    public override string ReadString(string? reuse = null)
    {
        var state = _cbor.PeekState();
        if (state != CborReaderState.TextString)
        {
            throw Mismatch("a text string", state);
        }
        var bytes = _cbor.ReadDefiniteLengthTextStringBytes().Span;
        if (reuse is not null && Utf8Equals(bytes, reuse))
        {
            return reuse;
        }
        return Encoding.UTF8.GetString(bytes);
    }

    private static bool Utf8Equals(ReadOnlySpan<byte> utf8, string text)
    {
        if (utf8.Length != text.Length)
        {
            return Encoding.UTF8.GetByteCount(text) == utf8.Length && Encoding.UTF8.GetString(utf8) == text;
        }
        for (int i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] != text[i])
            {
                return false;
            }
        }
        return true;
    }

    public override void ReadBytes(PooledArray<byte> into)
    {
        var state = _cbor.PeekState();
        if (state == CborReaderState.ByteString)
        {
            var bytes = _cbor.ReadDefiniteLengthByteString();
            if (Donation?.TryGive(bytes, into) != true)
            {
                into.CopyFrom(bytes.Span);
            }
            return;
        }
        ReadNumbers(into);
    }

    public override void ReadNumbers<T>(PooledArray<T> into)
    {
        var state = _cbor.PeekState();
        switch (state)
        {
            case CborReaderState.Tag:
                {
                    var tag = _cbor.ReadTag();
                    int size = CborTypedArrays.ElementSize(tag);
                    if (size == 0)
                    {
                        throw Mismatch("a typed-array tag (64-86)", $"tag {(ulong)tag}");
                    }
                    var bytes = _cbor.ReadDefiniteLengthByteString().Span;
                    if (bytes.Length % size != 0)
                    {
                        throw Mismatch($"a typed array of {size}-byte elements", $"{bytes.Length} bytes");
                    }
                    CopyTyped(tag, bytes, into);
                    return;
                }
            case CborReaderState.ByteString:
                CopyTyped(CborTypedArrays.UInt8, _cbor.ReadDefiniteLengthByteString().Span, into);
                return;
            case CborReaderState.StartArray:
                {
                    int n = _cbor.ReadStartArray() ?? throw Mismatch("a definite-length array", "an indefinite-length array");
                    var span = into.Resize(n);
                    for (int i = 0; i < n; i++)
                    {
                        span[i] = typeof(T) == typeof(double) || typeof(T) == typeof(float)
                            ? T.CreateTruncating(ReadDouble())
                            : T.CreateChecked(ReadInt());
                    }
                    _cbor.ReadEndArray();
                    return;
                }
            case CborReaderState.Null:
                _cbor.ReadNull();
                into.Clear();
                return;
            default:
                throw Mismatch("a numeric array", state);
        }
    }

    private static void CopyTyped<T>(CborTag tag, ReadOnlySpan<byte> bytes, PooledArray<T> into) where T : unmanaged, INumber<T>
    {
        if (tag == CborTypedArrays.TagOf<T>() && BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, T>(bytes).CopyTo(into.Resize(bytes.Length / System.Runtime.CompilerServices.Unsafe.SizeOf<T>()));
            return;
        }
        switch (tag)
        {
            case CborTypedArrays.Float64: Convert(MemoryMarshal.Cast<byte, double>(bytes), into); break;
            case CborTypedArrays.Float32: Convert(MemoryMarshal.Cast<byte, float>(bytes), into); break;
            case CborTypedArrays.Int64: Convert(MemoryMarshal.Cast<byte, long>(bytes), into); break;
            case CborTypedArrays.Int32: Convert(MemoryMarshal.Cast<byte, int>(bytes), into); break;
            case CborTypedArrays.Int16: Convert(MemoryMarshal.Cast<byte, short>(bytes), into); break;
            case CborTypedArrays.Int8: Convert(MemoryMarshal.Cast<byte, sbyte>(bytes), into); break;
            case CborTypedArrays.UInt64: Convert(MemoryMarshal.Cast<byte, ulong>(bytes), into); break;
            case CborTypedArrays.UInt32: Convert(MemoryMarshal.Cast<byte, uint>(bytes), into); break;
            case CborTypedArrays.UInt16: Convert(MemoryMarshal.Cast<byte, ushort>(bytes), into); break;
            default: Convert(bytes, into); break;
        }
    }

    private static void Convert<TFrom, T>(ReadOnlySpan<TFrom> source, PooledArray<T> into)
        where TFrom : unmanaged, INumber<TFrom> where T : unmanaged, INumber<T>
    {
        var span = into.Resize(source.Length);
        bool floatingTarget = typeof(T) == typeof(double) || typeof(T) == typeof(float);
        for (int i = 0; i < source.Length; i++)
        {
            span[i] = floatingTarget ? T.CreateTruncating(source[i]) : T.CreateChecked(source[i]);
        }
    }

    public override int BeginArray()
    {
        var state = _cbor.PeekState();
        if (state != CborReaderState.StartArray)
        {
            throw Mismatch("an array", state);
        }
        return _cbor.ReadStartArray() ?? throw Mismatch("a definite-length array", "an indefinite-length array");
    }

    public override void NextElement()
    {
    }

    public override void EndArray() => _cbor.ReadEndArray();
}
