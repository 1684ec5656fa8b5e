using System.Text.Json.Nodes;

namespace RobotBridge.Gym.Spaces;

/// <summary>
/// Named child spaces in a fixed key order; a value is a <see cref="DictValue"/> with the children in
/// that order. The order is the one given (Gymnasium sorts plain-dict keys; goal envs pass theirs
/// sorted, see <see cref="Goals.GoalSpaces"/>) and it is the order of <see cref="Space.Flatten"/>.
/// </summary>
public sealed class DictSpace : Space<DictValue>
{
    private readonly string[] _keys;
    private readonly Space[] _spaces;

    public DictSpace(params (string Key, Space Space)[] children)
    {
        ArgumentNullException.ThrowIfNull(children);
        _keys = new string[children.Length];
        _spaces = new Space[children.Length];
        for (int i = 0; i < children.Length; i++)
        {
            var (key, space) = children[i];
            if (string.IsNullOrEmpty(key))
                throw new ArgumentException($"Dict key {i} is empty");
            if (Array.IndexOf(_keys, key, 0, i) >= 0)
                throw new ArgumentException($"Dict key \"{key}\" appears twice");
            _keys[i] = key;
            _spaces[i] = space ?? throw new ArgumentException($"Dict key \"{key}\" has no space");
            FlatDimension = checked(FlatDimension + space.FlatDimension);
        }
    }

    public override SpaceKind Kind => SpaceKind.Dict;
    public override IReadOnlyList<int> Shape => [];
    public override int FlatDimension { get; }
    public IReadOnlyList<string> Keys => _keys;
    public IReadOnlyList<Space> Spaces => _spaces;
    public int Count => _keys.Length;

    public Space this[string key] => IndexOf(key) is var i and >= 0
        ? _spaces[i]
        : throw new KeyNotFoundException($"Dict space has no key \"{key}\"; keys are: {string.Join(", ", _keys)}");

    public int IndexOf(string key) => Array.IndexOf(_keys, key);

    /// <summary>Wraps child values (in key order, not copied) as a value of this space.</summary>
    public DictValue Wrap(params object[] values) => new(_keys, values);

    public override DictValue Sample(Random rng)
    {
        var values = new object[_spaces.Length];
        for (int i = 0; i < values.Length; i++)
            values[i] = _spaces[i].SampleObject(rng);
        return new DictValue(_keys, values);
    }

    public override bool Contains(DictValue value)
    {
        if (value is null || value.Count != _keys.Length)
            return false;
        for (int i = 0; i < _keys.Length; i++)
            if (!string.Equals(value.Keys[i], _keys[i], StringComparison.Ordinal) || !_spaces[i].ContainsObject(value[i]))
                return false;
        return true;
    }

    public override DictValue CreateValue()
    {
        var values = new object[_spaces.Length];
        for (int i = 0; i < values.Length; i++)
            values[i] = _spaces[i].CreateValueObject();
        return new DictValue(_keys, values);
    }

    public override DictValue Clone(DictValue value)
    {
        var values = new object[_spaces.Length];
        for (int i = 0; i < values.Length; i++)
            values[i] = _spaces[i].CloneObject(value[i]);
        return new DictValue(_keys, values);
    }

    public override bool ValueEquals(DictValue a, DictValue b)
    {
        if (a is null || b is null || a.Count != _keys.Length || b.Count != _keys.Length)
            return false;
        for (int i = 0; i < _keys.Length; i++)
            if (!_spaces[i].ValueEqualsObject(a[i], b[i]))
                return false;
        return true;
    }

    public override void Flatten(DictValue value, Span<double> destination)
    {
        int offset = 0;
        for (int i = 0; i < _spaces.Length; i++)
        {
            _spaces[i].FlattenObject(value[i], destination.Slice(offset));
            offset += _spaces[i].FlatDimension;
        }
    }

    public override SpaceBatch<DictValue> CreateBatch(int count) =>
        new DictBatch(count, _keys, [.. _spaces.Select(s => s.CreateBatchObject(count))]);

    public override JsonObject Describe()
    {
        var children = new JsonObject();
        for (int i = 0; i < _keys.Length; i++)
            children[_keys[i]] = _spaces[i].Describe();
        return new JsonObject { ["type"] = "Dict", ["spaces"] = children };
    }

    public override bool Equals(Space? other) =>
        other is DictSpace d && d._keys.AsSpan().SequenceEqual(_keys) && d._spaces.AsSpan().SequenceEqual(_spaces);
    public override int GetHashCode() => HashCode.Combine(Kind, _keys.Length, FlatDimension);
}

/// <summary>Child spaces by position; a value is an <c>object[]</c> of child values.</summary>
public sealed class TupleSpace : Space<object[]>
{
    private readonly Space[] _spaces;

    public TupleSpace(params Space[] spaces)
    {
        ArgumentNullException.ThrowIfNull(spaces);
        _spaces = (Space[])spaces.Clone();
        for (int i = 0; i < _spaces.Length; i++)
        {
            if (_spaces[i] is null)
                throw new ArgumentException($"Tuple element {i} has no space");
            FlatDimension = checked(FlatDimension + _spaces[i].FlatDimension);
        }
    }

    public override SpaceKind Kind => SpaceKind.Tuple;
    public override IReadOnlyList<int> Shape => [];
    public override int FlatDimension { get; }
    public IReadOnlyList<Space> Spaces => _spaces;

    public override object[] Sample(Random rng)
    {
        var v = new object[_spaces.Length];
        for (int i = 0; i < v.Length; i++)
            v[i] = _spaces[i].SampleObject(rng);
        return v;
    }

    public override bool Contains(object[] value)
    {
        if (value is null || value.Length != _spaces.Length)
            return false;
        for (int i = 0; i < value.Length; i++)
            if (!_spaces[i].ContainsObject(value[i]))
                return false;
        return true;
    }

    public override object[] CreateValue()
    {
        var v = new object[_spaces.Length];
        for (int i = 0; i < v.Length; i++)
            v[i] = _spaces[i].CreateValueObject();
        return v;
    }

    public override object[] Clone(object[] value)
    {
        var v = new object[_spaces.Length];
        for (int i = 0; i < v.Length; i++)
            v[i] = _spaces[i].CloneObject(value[i]);
        return v;
    }

    public override bool ValueEquals(object[] a, object[] b)
    {
        if (a is null || b is null || a.Length != _spaces.Length || b.Length != _spaces.Length)
            return false;
        for (int i = 0; i < a.Length; i++)
            if (!_spaces[i].ValueEqualsObject(a[i], b[i]))
                return false;
        return true;
    }

    public override void Flatten(object[] value, Span<double> destination)
    {
        int offset = 0;
        for (int i = 0; i < _spaces.Length; i++)
        {
            _spaces[i].FlattenObject(value[i], destination.Slice(offset));
            offset += _spaces[i].FlatDimension;
        }
    }

    public override SpaceBatch<object[]> CreateBatch(int count) =>
        new TupleBatch(count, [.. _spaces.Select(s => s.CreateBatchObject(count))]);

    public override JsonObject Describe() => new()
    {
        ["type"] = "Tuple",
        ["spaces"] = new JsonArray([.. _spaces.Select(s => (JsonNode)s.Describe())]),
    };

    public override bool Equals(Space? other) => other is TupleSpace t && t._spaces.AsSpan().SequenceEqual(_spaces);
    public override int GetHashCode() => HashCode.Combine(Kind, _spaces.Length, FlatDimension);
}
