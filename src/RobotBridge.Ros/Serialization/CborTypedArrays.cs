using System.Formats.Cbor;

namespace RobotBridge.Ros.Serialization;

/// <summary>
/// The typed-array tags rosbridge's CBOR encoder puts on numeric arrays (draft-ietf-cbor-array-tags,
/// same numbers as RFC 8746, always little endian). uint8[] is an untagged byte string.
/// </summary>
public static class CborTypedArrays
{
    public const CborTag UInt8 = (CborTag)64;
    public const CborTag UInt16 = (CborTag)69;
    public const CborTag UInt32 = (CborTag)70;
    public const CborTag UInt64 = (CborTag)71;
    public const CborTag Int8 = (CborTag)72;
    public const CborTag Int16 = (CborTag)77;
    public const CborTag Int32 = (CborTag)78;
    public const CborTag Int64 = (CborTag)79;
    public const CborTag Float32 = (CborTag)85;
    public const CborTag Float64 = (CborTag)86;

    /// <summary>The tag for element type <typeparamref name="T"/>.</summary>
    public static CborTag TagOf<T>() where T : unmanaged =>
        typeof(T) == typeof(double) ? Float64 :
        typeof(T) == typeof(float) ? Float32 :
        typeof(T) == typeof(int) ? Int32 :
        typeof(T) == typeof(long) ? Int64 :
        typeof(T) == typeof(short) ? Int16 :
        typeof(T) == typeof(sbyte) ? Int8 :
        typeof(T) == typeof(ushort) ? UInt16 :
        typeof(T) == typeof(uint) ? UInt32 :
        typeof(T) == typeof(ulong) ? UInt64 :
        typeof(T) == typeof(byte) ? UInt8 :
        throw new NotSupportedException($"no CBOR typed-array tag for {typeof(T).Name}");

    /// <summary>Element size in bytes for a typed-array tag, or 0 when the tag is not one.</summary>
    public static int ElementSize(CborTag tag) => tag switch
    {
        UInt8 or Int8 => 1,
        UInt16 or Int16 => 2,
        UInt32 or Int32 or Float32 => 4,
        UInt64 or Int64 or Float64 => 8,
        _ => 0,
    };
}
