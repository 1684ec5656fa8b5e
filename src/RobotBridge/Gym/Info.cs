using System.Collections;

namespace RobotBridge.Gym;

/// <summary>Name and value type of an <see cref="Info"/> entry. Keys with the same name are the same
/// entry; declare each once as a static readonly field (see <see cref="InfoKeys"/>).</summary>
public abstract class InfoKey
{
    private protected InfoKey(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    /// <summary>Gymnasium-style key, e.g. "is_success".</summary>
    public string Name { get; }

    public abstract Type ValueType { get; }

    public override string ToString() => $"{Name}: {ValueType.Name}";
}

/// <summary>A typed <see cref="Info"/> key whose values are <typeparamref name="T"/>.</summary>
public sealed class InfoKey<T>(string name) : InfoKey(name)
{
    public override Type ValueType => typeof(T);
}

/// <summary>
/// The <c>info</c> of Reset and Step: a small typed dictionary. Values are stored unboxed in a slot
/// per key that survives <see cref="Clear"/>, so an env that reuses its Info every step (the normal
/// case) allocates nothing once each key has been set once.
/// </summary>
/// <remarks>Like observations, the Info returned by Reset/Step may be reused by the env on the next
/// call: copy what you keep (<see cref="CopyTo"/>). Not thread-safe.</remarks>
public sealed class Info : IEnumerable<KeyValuePair<InfoKey, object?>>
{
    private Slot[] _slots = [];
    private int _slotCount;

    /// <summary>Number of keys currently present.</summary>
    public int Count
    {
        get
        {
            int n = 0;
            for (int i = 0; i < _slotCount; i++)
                if (_slots[i].Present)
                    n++;
            return n;
        }
    }

    public void Set<T>(InfoKey<T> key, T value)
    {
        var slot = SlotFor(key, create: true)!;
        slot.Value = value;
        slot.Present = true;
    }

    public bool TryGet<T>(InfoKey<T> key, out T value)
    {
        if (SlotFor(key, create: false) is { Present: true } slot)
        {
            value = slot.Value;
            return true;
        }
        value = default!;
        return false;
    }

    /// <summary>The value under <paramref name="key"/>; throws naming the keys present if absent.</summary>
    public T Get<T>(InfoKey<T> key) => TryGet(key, out T value)
        ? value
        : throw new KeyNotFoundException($"info has no \"{key.Name}\"; it has: {string.Join(", ", this.Select(kv => kv.Key.Name))}");

    /// <summary>The value under <paramref name="key"/> or <paramref name="fallback"/>.</summary>
    public T GetOrDefault<T>(InfoKey<T> key, T fallback) => TryGet(key, out T value) ? value : fallback;

    public bool Contains(InfoKey key) => Find(key.Name) is { Present: true };

    /// <summary>True if an entry named <paramref name="name"/> is present, whatever its type.</summary>
    public bool Contains(string name) => Find(name) is { Present: true };

    /// <summary>The boxed value of the entry named <paramref name="name"/> (for logs and generic tools).</summary>
    public bool TryGetBoxed(string name, out object? value)
    {
        if (Find(name) is { Present: true } slot)
        {
            value = slot.Boxed;
            return true;
        }
        value = null;
        return false;
    }

    public bool Remove(InfoKey key)
    {
        if (Find(key.Name) is { Present: true } slot)
        {
            slot.Present = false;
            slot.ClearValue();
            return true;
        }
        return false;
    }

    /// <summary>Removes every entry, keeping the slots for reuse.</summary>
    public void Clear()
    {
        for (int i = 0; i < _slotCount; i++)
        {
            _slots[i].Present = false;
            _slots[i].ClearValue();
        }
    }

    /// <summary>Copies every present entry into <paramref name="destination"/> (values are copied shallowly).</summary>
    public void CopyTo(Info destination)
    {
        for (int i = 0; i < _slotCount; i++)
            if (_slots[i].Present)
                _slots[i].CopyInto(destination);
    }

    /// <summary>A new Info holding the present entries.</summary>
    public Info Clone()
    {
        var copy = new Info();
        CopyTo(copy);
        return copy;
    }

    public IEnumerator<KeyValuePair<InfoKey, object?>> GetEnumerator()
    {
        for (int i = 0; i < _slotCount; i++)
            if (_slots[i].Present)
                yield return new(_slots[i].Key, _slots[i].Boxed);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => "{" + string.Join(", ", this.Select(kv => $"{kv.Key.Name}: {kv.Value}")) + "}";

    private Slot? Find(string name)
    {
        for (int i = 0; i < _slotCount; i++)
        {
            string n = _slots[i].Key.Name;
            if (ReferenceEquals(n, name) || string.Equals(n, name, StringComparison.Ordinal))
                return _slots[i];
        }
        return null;
    }

    private Slot<T>? SlotFor<T>(InfoKey<T> key, bool create)
    {
        var found = Find(key.Name);
        if (found is Slot<T> typed)
            return typed;
        if (found is not null)
            throw new InvalidOperationException($"info key \"{key.Name}\" holds {found.Key.ValueType.Name}, not {typeof(T).Name}");
        if (!create)
            return null;
        var slot = new Slot<T>(key);
        if (_slotCount == _slots.Length)
            Array.Resize(ref _slots, Math.Max(4, _slots.Length * 2));
        _slots[_slotCount++] = slot;
        return slot;
    }

    private abstract class Slot(InfoKey key)
    {
        public InfoKey Key { get; } = key;
        public bool Present;
        public abstract object? Boxed { get; }
        public abstract void ClearValue();
        public abstract void CopyInto(Info destination);
    }

    private sealed class Slot<T>(InfoKey<T> key) : Slot(key)
    {
        public T Value = default!;
        public override object? Boxed => Value;
        public override void ClearValue() => Value = default!; // drop references so the GC can collect them
        public override void CopyInto(Info destination) => destination.Set((InfoKey<T>)Key, Value);
    }
}
