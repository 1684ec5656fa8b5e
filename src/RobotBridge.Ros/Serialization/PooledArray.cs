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
    /// <summary>Where the elements start in <see cref="_items"/>: 0, except in an array taken over by
    /// <see cref="Adopt"/> (a received frame whose payload is this array's contents).</summary>
    private int _offset;

    public int Count { get; private set; }

    public Span<T> Span => _items.AsSpan(_offset, Count);

    /// <summary>Elements the rented array holds; <see cref="Resize"/> up to this never rents.</summary>
    public int Capacity => _items.Length - _offset;

    public T this[int index]
    {
        get => (uint)index < (uint)Count ? _items[_offset + index] : throw new ArgumentOutOfRangeException(nameof(index), index, $"outside 0..{Count - 1}");
        set
        {
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, $"outside 0..{Count - 1}");
            }
            _items[_offset + index] = value;
        }
    }

    /// <summary>Sets the count to <paramref name="count"/>, growing the rented array when needed.
    /// Contents up to the old count survive a grow; new elements are unspecified.</summary>
    public Span<T> Resize(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > Capacity)
        {
            var bigger = ArrayPool<T>.Shared.Rent(count);
            Span.CopyTo(bigger);
            Release();
            _items = bigger;
        }
        Count = count;
        return Span;
    }

    public void Clear()
    {
        Count = 0;
        _offset = 0;
    }

    /// <summary>
    /// Takes over <paramref name="array"/> (rented from <see cref="ArrayPool{T}.Shared"/>; this instance
    /// now owns it and returns it to the pool in its turn) as holding the <paramref name="count"/>
    /// elements from <paramref name="offset"/> on, instead of copying them; the array held so far goes
    /// back to the pool. The rosbridge client hands a camera frame's receive buffer over this way.
    /// </summary>
    internal void Adopt(T[] array, int offset, int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)offset + (uint)count, (uint)array.Length, nameof(count));
        Release();
        _items = array;
        _offset = offset;
        Count = count;
    }

    public void CopyFrom(ReadOnlySpan<T> values) => values.CopyTo(Resize(values.Length));

    public T[] ToArray() => Span.ToArray();

    private void Release()
    {
        if (_items.Length > 0)
        {
            ArrayPool<T>.Shared.Return(_items);
        }
        _items = [];
        _offset = 0;
    }

    public void Dispose()
    {
        Release();
        Count = 0;
    }
}
