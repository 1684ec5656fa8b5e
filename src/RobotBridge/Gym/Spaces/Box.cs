using System.Numerics;
using System.Text.Json.Nodes;

namespace RobotBridge.Gym.Spaces;

/// <summary>Non-generic view of any <see cref="Box{T}"/>, for code that inspects spaces.</summary>
public interface IBoxSpace
{
    DType DType { get; }
    IReadOnlyList<int> Shape { get; }
    /// <summary>Number of elements (product of the shape).</summary>
    int Size { get; }
    /// <summary>Lower bound of element <paramref name="index"/> (flat index), as double; may be -inf.</summary>
    double LowAt(int index);
    /// <summary>Upper bound of element <paramref name="index"/> (flat index), as double; may be +inf.</summary>
    double HighAt(int index);
}

/// <summary>
/// A (possibly unbounded) box in R^n: values are flat row-major <c>T[]</c> of <see cref="Size"/>
/// elements, each within [<see cref="Low"/>[i], <see cref="High"/>[i]] inclusive.
/// T is <c>float</c> (float32), <c>double</c> (float64) or <c>byte</c> (uint8).
/// </summary>
/// <remarks>Sampling follows Gymnasium: uniform on bounded dimensions, normal on unbounded ones,
/// shifted exponential on half-bounded ones; integer boxes sample integers in [low, high].</remarks>
public sealed class Box<T> : Space<T[]>, IBoxSpace where T : unmanaged, INumber<T>
{
    private readonly int[] _shape;
    private readonly T[] _low;
    private readonly T[] _high;

    /// <summary>A box with the same bounds on every element.</summary>
    public Box(T low, T high, params int[] shape)
        : this(Fill(low, shape), Fill(high, shape), shape)
    {
    }

    /// <summary>A box with per-element bounds (flat row-major, one per element of <paramref name="shape"/>).</summary>
    public Box(T[] low, T[] high, int[] shape)
    {
        DType = DTypes.Of<T>();
        ArgumentNullException.ThrowIfNull(low);
        ArgumentNullException.ThrowIfNull(high);
        ArgumentNullException.ThrowIfNull(shape);
        Size = ShapeSize(shape);
        if (low.Length != Size || high.Length != Size)
            throw new ArgumentException($"Box bounds must have {Size} elements for shape ({string.Join(", ", shape)}); got low {low.Length}, high {high.Length}");
        for (int i = 0; i < Size; i++)
        {
            if (T.IsNaN(low[i]) || T.IsNaN(high[i]))
                throw new ArgumentException($"Box bound {i} is NaN");
            if (low[i] > high[i])
                throw new ArgumentException($"Box bound {i}: low {low[i]} is above high {high[i]}");
        }
        _shape = (int[])shape.Clone();
        _low = (T[])low.Clone();
        _high = (T[])high.Clone();
    }

    public override SpaceKind Kind => SpaceKind.Box;
    public DType DType { get; }
    public override IReadOnlyList<int> Shape => _shape;
    public int Size { get; }
    public override int FlatDimension => Size;

    /// <summary>Per-element lower bounds (read-only view).</summary>
    public ReadOnlySpan<T> Low => _low;

    /// <summary>Per-element upper bounds (read-only view).</summary>
    public ReadOnlySpan<T> High => _high;

    public double LowAt(int index) => double.CreateChecked(_low[index]);
    public double HighAt(int index) => double.CreateChecked(_high[index]);

    /// <summary>True if every element has finite bounds on both sides.</summary>
    public bool IsBounded
    {
        get
        {
            for (int i = 0; i < Size; i++)
                if (!double.IsFinite(LowAt(i)) || !double.IsFinite(HighAt(i)))
                    return false;
            return true;
        }
    }

    public override T[] Sample(Random rng)
    {
        var value = new T[Size];
        Sample(rng, value);
        return value;
    }

    /// <summary>Samples into <paramref name="destination"/> without allocating.</summary>
    public void Sample(Random rng, Span<T> destination)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (destination.Length != Size)
            throw new ArgumentException($"destination has {destination.Length} elements, the box has {Size}");
        bool integral = DType == DType.UInt8;
        for (int i = 0; i < Size; i++)
        {
            double lo = LowAt(i), hi = HighAt(i);
            double x;
            if (integral)
                x = rng.NextInt64((long)lo, (long)hi + 1);
            else if (double.IsFinite(lo) && double.IsFinite(hi))
                x = lo + (hi - lo) * rng.NextDouble();
            else if (double.IsFinite(lo))
                x = lo + Distributions.Exponential(rng);
            else if (double.IsFinite(hi))
                x = hi - Distributions.Exponential(rng);
            else
                x = Distributions.Normal(rng);
            // Rounding to float32 can step outside a bound; clamp keeps the sample in the space.
            destination[i] = T.Clamp(T.CreateSaturating(x), _low[i], _high[i]);
        }
    }

    public override bool Contains(T[] value) => value is not null && Contains((ReadOnlySpan<T>)value);

    /// <summary>True if <paramref name="value"/> has <see cref="Size"/> elements, none NaN, all within bounds.</summary>
    public bool Contains(ReadOnlySpan<T> value)
    {
        if (value.Length != Size)
            return false;
        for (int i = 0; i < value.Length; i++)
        {
            T x = value[i];
            if (T.IsNaN(x) || x < _low[i] || x > _high[i])
                return false;
        }
        return true;
    }

    /// <summary>Why <paramref name="value"/> is not in the box, or null if it is (for error messages).</summary>
    public string? Explain(ReadOnlySpan<T> value)
    {
        if (value.Length != Size)
            return $"has {value.Length} elements, expected {Size} (shape ({string.Join(", ", _shape)}))";
        for (int i = 0; i < value.Length; i++)
        {
            T x = value[i];
            if (T.IsNaN(x))
                return $"element {i} is NaN";
            if (x < _low[i] || x > _high[i])
                return $"element {i} = {x} is outside [{_low[i]}, {_high[i]}]";
        }
        return null;
    }

    /// <summary>Clamps every element into its bounds in place.</summary>
    public void Clip(Span<T> value)
    {
        for (int i = 0; i < value.Length; i++)
            value[i] = T.Clamp(value[i], _low[i], _high[i]);
    }

    public override T[] CreateValue() => new T[Size];
    public override T[] Clone(T[] value) => (T[])value.Clone();

    public override bool ValueEquals(T[] a, T[] b) =>
        a is not null && b is not null && System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.AsSpan())
            .SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(b.AsSpan()));

    public override void Flatten(T[] value, Span<double> destination)
    {
        if (typeof(T) == typeof(double))
        {
            // float64 boxes (all goal-env entries) flatten by block copy.
            System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(value.AsSpan(0, Size)).CopyTo(destination);
            return;
        }
        for (int i = 0; i < Size; i++)
            destination[i] = double.CreateChecked(value[i]);
    }

    public override SpaceBatch<T[]> CreateBatch(int count) => new ArrayBatch<T>(count, Size, _shape);

    public override JsonObject Describe() => new()
    {
        ["type"] = "Box",
        ["shape"] = SpaceJson.Ints(_shape),
        ["dtype"] = DTypes.Name(DType),
        ["low"] = SpaceJson.Bounds(_low),
        ["high"] = SpaceJson.Bounds(_high),
    };

    public override bool Equals(Space? other) =>
        other is Box<T> b && _shape.AsSpan().SequenceEqual(b._shape) && _low.AsSpan().SequenceEqual(b._low) && _high.AsSpan().SequenceEqual(b._high);

    public override int GetHashCode() => HashCode.Combine(Kind, DType, Size);

    internal static int ShapeSize(int[] shape)
    {
        int size = 1;
        foreach (int d in shape)
        {
            if (d <= 0)
                throw new ArgumentException($"shape ({string.Join(", ", shape)}) has a non-positive dimension");
            size = checked(size * d);
        }
        return size;
    }

    private static T[] Fill(T value, int[] shape)
    {
        var a = new T[ShapeSize(shape)];
        Array.Fill(a, value);
        return a;
    }
}
