using System.Buffers;

namespace RobotBridge.Ros.Serialization;

/// <summary>
/// A growable array rented from <see cref="ArrayPool{T}"/>, reused across messages so decoding a
/// stream of same-sized messages allocates nothing after the first. <see cref="Count"/> is the
/// number of valid elements; the rented array may be longer.
/// </summary>
public sealed class PooledArray<T> : IDisposable
{
    private T[] _items = [];

    public int Count { get; private set; }

    public Span<T> Span => _items.AsSpan(0, Count);

    /// <summary>Elements the rented array holds; <see cref="Resize"/> up to this never rents.</summary>
    public int Capacity => _items.Length;

    public T this[int index]
    {
        get => (uint)index < (uint)Count ? _items[index] : throw new ArgumentOutOfRangeException(nameof(index), index, $"outside 0..{Count - 1}");
        set
        {
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, $"outside 0..{Count - 1}");
            }
            _items[index] = value;
        }
    }

    /// <summary>Sets the count to <paramref name="count"/>, growing the rented array when needed.
    /// Contents up to the old count survive a grow; new elements are unspecified.</summary>
    public Span<T> Resize(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > _items.Length)
        {
            var bigger = ArrayPool<T>.Shared.Rent(count);
            _items.AsSpan(0, Count).CopyTo(bigger);
            Release();
            _items = bigger;
        }
        Count = count;
        return Span;
    }

    public void Clear() => Count = 0;

    public void CopyFrom(ReadOnlySpan<T> values) => values.CopyTo(Resize(values.Length));

    public T[] ToArray() => Span.ToArray();

    private void Release()
    {
        if (_items.Length > 0)
        {
            ArrayPool<T>.Shared.Return(_items);
        }
        _items = [];
    }

    public void Dispose()
    {
        Release();
        Count = 0;
    }
}
