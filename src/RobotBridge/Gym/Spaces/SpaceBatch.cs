namespace RobotBridge.Gym.Spaces;

/// <summary>
/// N values of one space stored leaf by leaf in contiguous arrays (Gymnasium's <c>batch_space</c>
/// layout): a Box of shape S becomes one <c>T[N * size(S)]</c> with item i at [i * size, (i+1) * size),
/// a Discrete becomes <c>int[N]</c>, a Dict a batch per key. Vector envs own one for observations and
/// one for actions; a policy reads <see cref="ArrayBatch{T}.Data"/> straight into a tensor.
/// </summary>
public abstract class SpaceBatch
{
    protected SpaceBatch(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        Count = count;
    }

    /// <summary>Number of items N.</summary>
    public int Count { get; }

    /// <summary>Copies <paramref name="value"/> into item <paramref name="index"/>.</summary>
    public abstract void WriteObject(int index, object value);

    /// <summary>Item <paramref name="index"/>, copied into <paramref name="reuse"/> when given (no allocation) or a new value.</summary>
    public abstract object ReadObject(int index, object? reuse = null);

    private protected void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"batch has {Count} items");
    }
}

/// <summary>A batch whose items are of type <typeparamref name="T"/>.</summary>
public abstract class SpaceBatch<T> : SpaceBatch
{
    protected SpaceBatch(int count) : base(count)
    {
    }

    /// <summary>Copies <paramref name="value"/> into item <paramref name="index"/>.</summary>
    public abstract void Write(int index, T value);

    /// <summary>Item <paramref name="index"/>: copied into <paramref name="reuse"/> and returned when
    /// <paramref name="reuse"/> is given (reference types), otherwise a new value.</summary>
    public abstract T Read(int index, T? reuse = default);

    public sealed override void WriteObject(int index, object value) =>
        Write(index, value is T t ? t : throw new ArgumentException($"expected {typeof(T).Name}, got {value?.GetType().Name ?? "null"}"));

    public sealed override object ReadObject(int index, object? reuse = null) => Read(index, reuse is T t ? t : default)!;
}

/// <summary>Batch of array values (Box, MultiDiscrete, MultiBinary): one contiguous <see cref="Data"/>.</summary>
public sealed class ArrayBatch<T> : SpaceBatch<T[]> where T : unmanaged
{
    private readonly int[] _itemShape;

    public ArrayBatch(int count, int itemSize, int[] itemShape) : base(count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(itemSize);
        ItemSize = itemSize;
        _itemShape = itemShape;
        Data = new T[checked(count * itemSize)];
    }

    /// <summary>All items, item i at [i * ItemSize, (i + 1) * ItemSize); shape (Count, ItemShape...).</summary>
    public T[] Data { get; }

    /// <summary>Elements per item.</summary>
    public int ItemSize { get; }

    /// <summary>Shape of one item.</summary>
    public IReadOnlyList<int> ItemShape => _itemShape;

    /// <summary>Item <paramref name="index"/> as a writable view into <see cref="Data"/>.</summary>
    public Span<T> this[int index]
    {
        get
        {
            CheckIndex(index);
            return Data.AsSpan(index * ItemSize, ItemSize);
        }
    }

    public override void Write(int index, T[] value)
    {
        if (value.Length != ItemSize)
            throw new ArgumentException($"item has {value.Length} elements, batch items have {ItemSize}");
        value.CopyTo(this[index]);
    }

    public override T[] Read(int index, T[]? reuse = null)
    {
        var item = reuse ?? new T[ItemSize];
        this[index].CopyTo(item);
        return item;
    }
}

/// <summary>Batch of <see cref="Discrete"/> values: <see cref="Data"/> is <c>int[N]</c>.</summary>
public sealed class DiscreteBatch : SpaceBatch<int>
{
    public DiscreteBatch(int count) : base(count) => Data = new int[count];

    public int[] Data { get; }

    public override void Write(int index, int value)
    {
        CheckIndex(index);
        Data[index] = value;
    }

    public override int Read(int index, int reuse = 0)
    {
        CheckIndex(index);
        return Data[index];
    }
}

/// <summary>Batch of <see cref="DictValue"/>s: one child batch per key.</summary>
public sealed class DictBatch : SpaceBatch<DictValue>
{
    private readonly string[] _keys;
    private readonly SpaceBatch[] _children;

    public DictBatch(int count, string[] keys, SpaceBatch[] children) : base(count)
    {
        _keys = keys;
        _children = children;
    }

    public IReadOnlyList<string> Keys => _keys;

    /// <summary>Child batch at key position <paramref name="index"/>.</summary>
    public SpaceBatch this[int index] => _children[index];

    /// <summary>Child batch under <paramref name="key"/>.</summary>
    public SpaceBatch this[string key] => Array.IndexOf(_keys, key) is var i and >= 0
        ? _children[i]
        : throw new KeyNotFoundException($"batch has no key \"{key}\"; keys are: {string.Join(", ", _keys)}");

    /// <summary>Child batch under <paramref name="key"/> with its concrete type, e.g. <c>Get&lt;ArrayBatch&lt;double&gt;&gt;("observation")</c>.</summary>
    public TBatch Get<TBatch>(string key) where TBatch : SpaceBatch => this[key] as TBatch
        ?? throw new InvalidCastException($"batch key \"{key}\" is a {this[key].GetType().Name}, not {typeof(TBatch).Name}");

    public override void Write(int index, DictValue value)
    {
        if (value.Count != _keys.Length)
            throw new ArgumentException($"dict value has {value.Count} keys, batch has {_keys.Length}");
        for (int i = 0; i < _children.Length; i++)
            _children[i].WriteObject(index, value[i]);
    }

    public override DictValue Read(int index, DictValue? reuse = null)
    {
        if (reuse is null)
        {
            var values = new object[_children.Length];
            for (int i = 0; i < values.Length; i++)
                values[i] = _children[i].ReadObject(index);
            return new DictValue(_keys, values);
        }
        for (int i = 0; i < _children.Length; i++)
            reuse[i] = _children[i].ReadObject(index, reuse[i]);
        return reuse;
    }
}

/// <summary>Batch of tuple values: one child batch per position.</summary>
public sealed class TupleBatch : SpaceBatch<object[]>
{
    private readonly SpaceBatch[] _children;

    public TupleBatch(int count, SpaceBatch[] children) : base(count) => _children = children;

    public SpaceBatch this[int position] => _children[position];

    public override void Write(int index, object[] value)
    {
        for (int i = 0; i < _children.Length; i++)
            _children[i].WriteObject(index, value[i]);
    }

    public override object[] Read(int index, object[]? reuse = null)
    {
        var v = reuse ?? new object[_children.Length];
        for (int i = 0; i < _children.Length; i++)
            v[i] = _children[i].ReadObject(index, reuse?[i]);
        return v;
    }
}
