using System.Text.Json.Nodes;

namespace RobotBridge.Gym.Spaces;

/// <summary>The integers {start, ..., start + n - 1}; a value is an <c>int</c>.</summary>
public sealed class Discrete : Space<int>
{
    public Discrete(int n, int start = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        N = n;
        Start = start;
    }

    public override SpaceKind Kind => SpaceKind.Discrete;
    public int N { get; }
    public int Start { get; }
    public override IReadOnlyList<int> Shape => [];
    public override int FlatDimension => N;

    public override int Sample(Random rng) => Start + rng.Next(N);
    public override bool Contains(int value) => value >= Start && value - Start < N;
    public override int CreateValue() => Start;
    public override int Clone(int value) => value;
    public override bool ValueEquals(int a, int b) => a == b;

    /// <summary>One-hot of length <see cref="N"/>.</summary>
    public override void Flatten(int value, Span<double> destination)
    {
        destination[..N].Clear();
        destination[value - Start] = 1.0;
    }

    public override SpaceBatch<int> CreateBatch(int count) => new DiscreteBatch(count);

    public override JsonObject Describe() => new() { ["type"] = "Discrete", ["n"] = N, ["start"] = Start };

    public override bool Equals(Space? other) => other is Discrete d && d.N == N && d.Start == Start;
    public override int GetHashCode() => HashCode.Combine(Kind, N, Start);
}

/// <summary>A vector of independent discrete values, element i in {start[i], ..., start[i] + nvec[i] - 1};
/// a value is a flat <c>int[]</c>.</summary>
public sealed class MultiDiscrete : Space<int[]>
{
    private readonly int[] _nvec;
    private readonly int[] _start;

    public MultiDiscrete(int[] nvec, int[]? start = null)
    {
        ArgumentNullException.ThrowIfNull(nvec);
        if (nvec.Length == 0)
            throw new ArgumentException("MultiDiscrete needs at least one dimension", nameof(nvec));
        foreach (int n in nvec)
            if (n <= 0)
                throw new ArgumentException($"MultiDiscrete nvec ({string.Join(", ", nvec)}) must be positive", nameof(nvec));
        if (start is not null && start.Length != nvec.Length)
            throw new ArgumentException($"start has {start.Length} elements, nvec has {nvec.Length}", nameof(start));
        _nvec = (int[])nvec.Clone();
        _start = start is null ? new int[nvec.Length] : (int[])start.Clone();
        int flat = 0;
        foreach (int n in nvec)
            flat = checked(flat + n);
        FlatDimension = flat;
    }

    public override SpaceKind Kind => SpaceKind.MultiDiscrete;
    public ReadOnlySpan<int> NVec => _nvec;
    public ReadOnlySpan<int> Start => _start;
    public override IReadOnlyList<int> Shape => [_nvec.Length];
    public override int FlatDimension { get; }

    public override int[] Sample(Random rng)
    {
        var v = new int[_nvec.Length];
        for (int i = 0; i < v.Length; i++)
            v[i] = _start[i] + rng.Next(_nvec[i]);
        return v;
    }

    public override bool Contains(int[] value)
    {
        if (value is null || value.Length != _nvec.Length)
            return false;
        for (int i = 0; i < value.Length; i++)
            if (value[i] < _start[i] || value[i] - _start[i] >= _nvec[i])
                return false;
        return true;
    }

    public override int[] CreateValue() => (int[])_start.Clone();
    public override int[] Clone(int[] value) => (int[])value.Clone();
    public override bool ValueEquals(int[] a, int[] b) => a is not null && b is not null && a.AsSpan().SequenceEqual(b);

    /// <summary>Concatenated one-hots.</summary>
    public override void Flatten(int[] value, Span<double> destination)
    {
        destination[..FlatDimension].Clear();
        int offset = 0;
        for (int i = 0; i < _nvec.Length; i++)
        {
            destination[offset + value[i] - _start[i]] = 1.0;
            offset += _nvec[i];
        }
    }

    public override SpaceBatch<int[]> CreateBatch(int count) => new ArrayBatch<int>(count, _nvec.Length, [_nvec.Length]);

    public override JsonObject Describe() => new()
    {
        ["type"] = "MultiDiscrete",
        ["nvec"] = SpaceJson.Ints(_nvec),
        ["start"] = SpaceJson.Ints(_start),
    };

    public override bool Equals(Space? other) =>
        other is MultiDiscrete m && m._nvec.AsSpan().SequenceEqual(_nvec) && m._start.AsSpan().SequenceEqual(_start);
    public override int GetHashCode() => HashCode.Combine(Kind, _nvec.Length, FlatDimension);
}

/// <summary>A binary array of the given shape; a value is a flat <c>byte[]</c> of 0s and 1s.</summary>
public sealed class MultiBinary : Space<byte[]>
{
    private readonly int[] _shape;

    public MultiBinary(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length == 0)
            throw new ArgumentException("MultiBinary needs a shape, e.g. new MultiBinary(4)", nameof(shape));
        _shape = (int[])shape.Clone();
        Size = Box<byte>.ShapeSize(_shape);
    }

    public override SpaceKind Kind => SpaceKind.MultiBinary;
    public override IReadOnlyList<int> Shape => _shape;
    public int Size { get; }
    public override int FlatDimension => Size;

    public override byte[] Sample(Random rng)
    {
        var v = new byte[Size];
        for (int i = 0; i < v.Length; i++)
            v[i] = (byte)rng.Next(2);
        return v;
    }

    public override bool Contains(byte[] value)
    {
        if (value is null || value.Length != Size)
            return false;
        foreach (byte b in value)
            if (b > 1)
                return false;
        return true;
    }

    public override byte[] CreateValue() => new byte[Size];
    public override byte[] Clone(byte[] value) => (byte[])value.Clone();
    public override bool ValueEquals(byte[] a, byte[] b) => a is not null && b is not null && a.AsSpan().SequenceEqual(b);

    public override void Flatten(byte[] value, Span<double> destination)
    {
        for (int i = 0; i < Size; i++)
            destination[i] = value[i];
    }

    public override SpaceBatch<byte[]> CreateBatch(int count) => new ArrayBatch<byte>(count, Size, _shape);

    public override JsonObject Describe() => new() { ["type"] = "MultiBinary", ["shape"] = SpaceJson.Ints(_shape) };

    public override bool Equals(Space? other) => other is MultiBinary m && m._shape.AsSpan().SequenceEqual(_shape);
    public override int GetHashCode() => HashCode.Combine(Kind, Size);
}
