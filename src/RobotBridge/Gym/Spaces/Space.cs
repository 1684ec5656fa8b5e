using System.Text.Json.Nodes;

namespace RobotBridge.Gym.Spaces;

/// <summary>What kind of space a <see cref="Space"/> is; also the <c>"type"</c> field of its JSON.</summary>
public enum SpaceKind
{
    Box,
    Discrete,
    MultiDiscrete,
    MultiBinary,
    Dict,
    Tuple,
}

/// <summary>
/// The set of valid observations or actions of an env (Gymnasium's <c>gymnasium.spaces.Space</c>).
/// This non-generic face is what programs inspect: <see cref="Kind"/>, <see cref="Shape"/>,
/// <see cref="Describe"/>/<see cref="ToJson"/>; <see cref="Space{T}"/> adds the typed operations.
/// </summary>
/// <remarks>
/// <para><b>Value representation</b> (chosen so that a policy reads observations without
/// per-step allocations and a vector env batches them with one block copy per leaf):</para>
/// <list type="table">
/// <item><term><see cref="Box{T}"/></term><description><c>T[]</c>, flat, row-major, length = product of
/// <see cref="Shape"/>; T is <c>float</c>, <c>double</c> or <c>byte</c> (an 84x84x3 image is a
/// <c>byte[21168]</c> with shape (84, 84, 3)).</description></item>
/// <item><term><see cref="Discrete"/></term><description><c>int</c>.</description></item>
/// <item><term><see cref="MultiDiscrete"/></term><description><c>int[]</c>, flat.</description></item>
/// <item><term><see cref="MultiBinary"/></term><description><c>byte[]</c> of 0/1, flat.</description></item>
/// <item><term><see cref="DictSpace"/></term><description><see cref="DictValue"/>: the child values in
/// the space's key order, each in its own representation.</description></item>
/// <item><term><see cref="TupleSpace"/></term><description><c>object[]</c>, child values in order.</description></item>
/// </list>
/// <para>A batch of N values (vector envs) is a <see cref="SpaceBatch"/>: every leaf becomes one
/// contiguous array of N items (<see cref="ArrayBatch{T}.Data"/> is <c>T[N * itemSize]</c>).</para>
/// <para>Spaces are immutable after construction and safe to share between threads. Sampling takes
/// the caller's <see cref="Random"/> so that the caller owns the seed.</para>
/// </remarks>
public abstract class Space : IEquatable<Space>
{
    public abstract SpaceKind Kind { get; }

    /// <summary>Shape of one value; empty for scalars (<see cref="Discrete"/>) and for composite spaces.</summary>
    public abstract IReadOnlyList<int> Shape { get; }

    /// <summary>CLR type of one value (e.g. <c>double[]</c> for a float64 Box).</summary>
    public abstract Type ValueType { get; }

    /// <summary>Length of the flat vector <see cref="FlattenObject"/> writes (Gymnasium's <c>flatdim</c>):
    /// Discrete and MultiDiscrete are one-hot encoded, composites are concatenated in order.</summary>
    public abstract int FlatDimension { get; }

    /// <summary>True if <paramref name="value"/> has this space's type and shape and lies within its bounds.</summary>
    public abstract bool ContainsObject(object? value);

    /// <summary>A new random value of this space (boxed for value-type spaces).</summary>
    public abstract object SampleObject(Random rng);

    /// <summary>A deep copy of <paramref name="value"/>.</summary>
    public abstract object CloneObject(object value);

    /// <summary>A new zero value of the right shape (boxed for value-type spaces).</summary>
    public abstract object CreateValueObject();

    /// <summary>True if both values are bit-for-bit identical (NaN equals NaN of the same bits).</summary>
    public abstract bool ValueEqualsObject(object? a, object? b);

    /// <summary>Writes <paramref name="value"/> as <see cref="FlatDimension"/> doubles into <paramref name="destination"/>.</summary>
    public abstract void FlattenObject(object value, Span<double> destination);

    /// <summary>A preallocated batch of <paramref name="count"/> values in contiguous buffers.</summary>
    public abstract SpaceBatch CreateBatchObject(int count);

    /// <summary>Machine-readable description: <c>{"type": "Box", "shape": [3], "dtype": "float64",
    /// "low": ..., "high": ...}</c> and so on; see <see cref="SpaceJson"/> for the format.</summary>
    public abstract JsonObject Describe();

    /// <summary>The <see cref="Describe"/> object as compact JSON text.</summary>
    public string ToJson() => Describe().ToJsonString();

    /// <summary>Rebuilds a space from <see cref="ToJson"/> output.</summary>
    public static Space FromJson(string json) => SpaceJson.Parse(json);

    public abstract bool Equals(Space? other);

    public sealed override bool Equals(object? obj) => obj is Space s && Equals(s);

    public override int GetHashCode() => HashCode.Combine(Kind, FlatDimension);

    public override string ToString() => ToJson();
}

/// <summary>A space whose values are of type <typeparamref name="T"/> (see <see cref="Space"/> for the
/// representation of each kind).</summary>
public abstract class Space<T> : Space
{
    public override Type ValueType => typeof(T);

    /// <summary>A new random value, uniform over bounded dimensions (Gymnasium's sampling rules).</summary>
    public abstract T Sample(Random rng);

    /// <summary>True if <paramref name="value"/> has the right shape and lies within the bounds.</summary>
    public abstract bool Contains(T value);

    /// <summary>A new zero value of the right shape (a buffer to fill).</summary>
    public abstract T CreateValue();

    /// <summary>A deep copy; envs may reuse their observation buffers, so keep copies, not references.</summary>
    public abstract T Clone(T value);

    /// <summary>Bit-for-bit equality of two values.</summary>
    public abstract bool ValueEquals(T a, T b);

    /// <summary>Writes the flat double encoding of <paramref name="value"/> (see <see cref="Space.FlatDimension"/>).</summary>
    public abstract void Flatten(T value, Span<double> destination);

    /// <summary>A preallocated batch of <paramref name="count"/> values.</summary>
    public abstract SpaceBatch<T> CreateBatch(int count);

    public sealed override bool ContainsObject(object? value) => value is T t && Contains(t);
    public sealed override object SampleObject(Random rng) => Sample(rng)!;
    public sealed override object CloneObject(object value) => Clone(Cast(value))!;
    public sealed override object CreateValueObject() => CreateValue()!;
    public sealed override bool ValueEqualsObject(object? a, object? b) =>
        a is T ta && b is T tb ? ValueEquals(ta, tb) : a is null && b is null;
    public sealed override void FlattenObject(object value, Span<double> destination) => Flatten(Cast(value), destination);
    public sealed override SpaceBatch CreateBatchObject(int count) => CreateBatch(count);

    /// <summary>Flat encoding into a new array.</summary>
    public double[] Flatten(T value)
    {
        var flat = new double[FlatDimension];
        Flatten(value, flat);
        return flat;
    }

    private protected static T Cast(object value) => value is T t
        ? t
        : throw new ArgumentException($"expected a value of type {typeof(T).Name}, got {value?.GetType().Name ?? "null"}", nameof(value));
}
