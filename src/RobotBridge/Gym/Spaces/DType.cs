namespace RobotBridge.Gym.Spaces;

/// <summary>Element type of a <see cref="Box{T}"/>; the JSON names are NumPy's.</summary>
public enum DType
{
    /// <summary><c>float</c>, "float32".</summary>
    Float32,
    /// <summary><c>double</c>, "float64".</summary>
    Float64,
    /// <summary><c>byte</c>, "uint8" (images).</summary>
    UInt8,
}

/// <summary>Maps between <see cref="DType"/>, CLR types and NumPy names.</summary>
public static class DTypes
{
    public static DType Of<T>() =>
        typeof(T) == typeof(float) ? DType.Float32
        : typeof(T) == typeof(double) ? DType.Float64
        : typeof(T) == typeof(byte) ? DType.UInt8
        : throw new NotSupportedException($"Box element type {typeof(T).Name} is not supported; use float, double or byte");

    public static string Name(DType dtype) => dtype switch
    {
        DType.Float32 => "float32",
        DType.Float64 => "float64",
        DType.UInt8 => "uint8",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    public static DType Parse(string name) => name switch
    {
        "float32" => DType.Float32,
        "float64" => DType.Float64,
        "uint8" => DType.UInt8,
        _ => throw new FormatException($"unknown dtype \"{name}\"; expected float32, float64 or uint8"),
    };
}
