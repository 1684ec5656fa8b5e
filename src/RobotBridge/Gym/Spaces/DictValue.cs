namespace RobotBridge.Gym.Spaces;

/// <summary>
/// A value of a <see cref="DictSpace"/>: one child value per key, in the space's key order. Children
/// are held by reference (a Box child is its <c>T[]</c>), so reading one costs a lookup, not a copy.
/// </summary>
/// <remarks>Look children up by index (<see cref="DictSpace.IndexOf"/> once, then <see cref="this[int]"/>)
/// on hot paths; by key otherwise. The key array is shared with the space and never copied.</remarks>
public sealed class DictValue
{
    private readonly string[] _keys;
    private readonly object[] _values;

    /// <summary>Wraps <paramref name="values"/> (not copied) under <paramref name="keys"/> (same length).</summary>
    public DictValue(string[] keys, object[] values)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(values);
        if (keys.Length != values.Length)
            throw new ArgumentException($"DictValue has {keys.Length} keys but {values.Length} values");
        _keys = keys;
        _values = values;
    }

    public int Count => _keys.Length;
    public IReadOnlyList<string> Keys => _keys;

    /// <summary>The child value at position <paramref name="index"/> in key order.</summary>
    public object this[int index]
    {
        get => _values[index];
        set => _values[index] = value;
    }

    /// <summary>The child value under <paramref name="key"/>; throws naming the known keys if absent.</summary>
    public object this[string key]
    {
        get => _values[IndexOrThrow(key)];
        set => _values[IndexOrThrow(key)] = value;
    }

    /// <summary>The child under <paramref name="key"/> as <typeparamref name="T"/>, e.g. <c>Get&lt;double[]&gt;("observation")</c>.</summary>
    public T Get<T>(string key) => this[key] is T t
        ? t
        : throw new InvalidCastException($"dict key \"{key}\" holds {this[key]?.GetType().Name ?? "null"}, not {typeof(T).Name}");

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    /// <summary>Position of <paramref name="key"/>, or -1.</summary>
    public int IndexOf(string key)
    {
        for (int i = 0; i < _keys.Length; i++)
            if (ReferenceEquals(_keys[i], key) || string.Equals(_keys[i], key, StringComparison.Ordinal))
                return i;
        return -1;
    }

    private int IndexOrThrow(string key)
    {
        int i = IndexOf(key);
        return i >= 0 ? i : throw new KeyNotFoundException($"dict has no key \"{key}\"; keys are: {string.Join(", ", _keys)}");
    }

    public override string ToString() => "{" + string.Join(", ", _keys.Select((k, i) => $"{k}: {Show(_values[i])}")) + "}";

    private static string Show(object? v) => v switch
    {
        double[] d => "[" + string.Join(", ", d.Take(8).Select(x => x.ToString("G6", System.Globalization.CultureInfo.InvariantCulture))) + (d.Length > 8 ? ", ..." : "") + "]",
        float[] f => "[" + string.Join(", ", f.Take(8).Select(x => x.ToString("G6", System.Globalization.CultureInfo.InvariantCulture))) + (f.Length > 8 ? ", ..." : "") + "]",
        Array a => $"{a.GetType().GetElementType()?.Name}[{a.Length}]",
        _ => v?.ToString() ?? "null",
    };
}
