using System.Text;

namespace RobotBridge.Ros.Protocol;

/// <summary>
/// Reassembles <c>fragment</c> ops. Accepts what rosbridge really sends: id 0 for every id-less
/// message and a float <c>total</c> (floored); joins by <c>num</c>, whatever the arrival order.
/// Incomplete messages older than <see cref="Timeout"/> are dropped.
/// </summary>
public sealed class FragmentAssembler
{
    private sealed class Pending(int total, long startedTicks)
    {
        public readonly string?[] Parts = new string?[total];
        public int Count;
        public readonly long StartedTicks = startedTicks;
    }

    private readonly Dictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public FragmentAssembler(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    public const int MaxFragments = 1 << 20;

    /// <summary>Adds one fragment; returns the whole message text once the last part is in.</summary>
    public string? Add(IncomingMessage fragment)
    {
        string id = fragment.GetIdText() ?? throw new RosbridgeFormatException("fragment: expected an 'id' field but none was found");
        long num = fragment.GetInt("num") ?? throw new RosbridgeFormatException("fragment: expected an integer 'num'");
        long total = fragment.GetInt("total") ?? throw new RosbridgeFormatException("fragment: expected a number 'total'");
        string data = fragment.GetString("data") ?? throw new RosbridgeFormatException("fragment: expected a string 'data'");
        if (total <= 0 || total > MaxFragments)
        {
            throw new RosbridgeFormatException($"fragment {id}: total {total} outside 1..{MaxFragments}");
        }
        if (num < 0 || num >= total)
        {
            throw new RosbridgeFormatException($"fragment {id}: num {num} outside 0..{total - 1}");
        }
        long now = _time.GetTimestamp();
        Expire(now);
        if (!_pending.TryGetValue(id, out var pending) || pending.Parts.Length != total)
        {
            pending = new Pending((int)total, now);
            _pending[id] = pending;
        }
        if (pending.Parts[num] is null)
        {
            pending.Count++;
        }
        pending.Parts[num] = data;
        if (pending.Count < total)
        {
            return null;
        }
        _pending.Remove(id);
        var text = new StringBuilder();
        foreach (var part in pending.Parts)
        {
            text.Append(part);
        }
        return text.ToString();
    }

    public int PendingCount => _pending.Count;

    private void Expire(long now)
    {
        foreach (var (id, pending) in _pending)
        {
            if (_time.GetElapsedTime(pending.StartedTicks, now) > Timeout)
            {
                _pending.Remove(id);
            }
        }
    }

    /// <summary>Splits a JSON text into fragment ops with a non-empty string id and integer totals
    /// (what roslib can reassemble; it drops id 0).</summary>
    public static IEnumerable<PooledFrame> Split(string text, string id, int fragmentSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fragmentSize);
        int total = (text.Length + fragmentSize - 1) / fragmentSize;
        for (int num = 0; num < total; num++)
        {
            string data = text.Substring(num * fragmentSize, Math.Min(fragmentSize, text.Length - num * fragmentSize));
            yield return Frames.Json((id, data, num, total), static (json, s) =>
            {
                json.WriteStartObject();
                json.WriteString("op"u8, "fragment"u8);
                json.WriteString("id"u8, s.id);
                json.WriteString("data"u8, s.data);
                json.WriteNumber("num"u8, s.num);
                json.WriteNumber("total"u8, s.total);
                json.WriteEndObject();
            });
        }
    }
}
