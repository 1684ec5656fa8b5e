using System.Text;

namespace RobotBridge.Ros.Protocol;

/// <summary>
/// Reassembles <c>fragment</c> ops. Accepts what rosbridge really sends: id 0 for every id-less
/// message and a float <c>total</c> (floored); joins by <c>num</c>, whatever the arrival order.
/// Incomplete messages older than <see cref="Timeout"/> are dropped, and everything held for one
/// connection (data plus the slots a <c>total</c> reserves) counts against <see cref="MaxPendingBytes"/>,
/// so fragments cannot smuggle a message past the size cap or pin memory.
/// </summary>
public sealed class FragmentAssembler
{
    private sealed class Pending(int total, long startedTicks)
    {
        public readonly string?[] Parts = new string?[total];
        public int Count;
        public readonly long StartedTicks = startedTicks;
        public long Bytes = SlotBytes * (long)total;
    }

    /// <summary>What one reserved part slot costs (a reference), counted so a huge <c>total</c> is not free.</summary>
    private const int SlotBytes = 8;

    private long _pendingBytes;

    private readonly Dictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public FragmentAssembler(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Most bytes held for incomplete messages (and the largest reassembled message); rosbridge's message cap by default.</summary>
    public long MaxPendingBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary>Bytes held for incomplete messages now.</summary>
    public long PendingBytes => _pendingBytes;

    public const int MaxFragments = 1 << 20;

    /// <summary>Adds one fragment; returns the whole message text once the last part is in.</summary>
    public string? Add(IncomingMessage fragment)
    {
        string id = fragment.GetIdText() ?? throw new RosbridgeFormatException("fragment: expected an 'id' field but none was found");
        long num = fragment.GetInt("num") ?? throw new RosbridgeFormatException("fragment: expected an integer 'num'");
        long total = fragment.GetInt("total") ?? throw new RosbridgeFormatException("fragment: expected a number 'total'");
        // The encoded length bounds the text's (escapes only shrink it): checked before the text is materialised,
        // so a bomb costs the server its frame, not copies of it.
        if (!fragment.Root.TryGetProperty("data", out var raw) || raw.ValueKind != System.Text.Json.JsonValueKind.String)
        {
            throw new RosbridgeFormatException("fragment: expected a string 'data'");
        }
        long encoded = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(raw).Length - 2; // without the quotes
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
            if (pending is not null)
            {
                Drop(id, pending);
            }
            if (_pendingBytes + SlotBytes * total > MaxPendingBytes)
            {
                throw new RosbridgeFormatException($"fragment {id}: {total} parts would hold more than the {MaxPendingBytes} bytes allowed for incomplete messages");
            }
            pending = new Pending((int)total, now);
            _pending[id] = pending;
            _pendingBytes += pending.Bytes;
        }
        // Counted as the frame would be (one byte a character, as the whole-message cap counts): held in memory it is twice that.
        if (_pendingBytes + encoded - (pending.Parts[num]?.Length ?? 0) > MaxPendingBytes)
        {
            Drop(id, pending);
            throw new RosbridgeFormatException($"fragment {id}: the message exceeds the {MaxPendingBytes} bytes allowed for incomplete messages " +
                                               "(whole messages are capped the same); its fragments were dropped");
        }
        string text = raw.GetString()!;
        long added = text.Length - (long)(pending.Parts[num]?.Length ?? 0);
        if (_pendingBytes + added > MaxPendingBytes)
        {
            Drop(id, pending);
            throw new RosbridgeFormatException($"fragment {id}: the message exceeds the {MaxPendingBytes} bytes allowed for incomplete messages " +
                                               "(whole messages are capped the same); its fragments were dropped");
        }
        if (pending.Parts[num] is null)
        {
            pending.Count++;
        }
        pending.Parts[num] = text;
        pending.Bytes += added;
        _pendingBytes += added;
        if (pending.Count < total)
        {
            return null;
        }
        Drop(id, pending);
        var whole = new StringBuilder();
        foreach (var part in pending.Parts)
        {
            whole.Append(part);
        }
        return whole.ToString();
    }

    private void Drop(string id, Pending pending)
    {
        _pending.Remove(id);
        _pendingBytes -= pending.Bytes;
    }

    /// <summary>Drops incomplete messages older than <see cref="Timeout"/> (also called on every received frame).</summary>
    public void ExpireStale()
    {
        if (_pending.Count > 0)
        {
            Expire(_time.GetTimestamp());
        }
    }

    public int PendingCount => _pending.Count;

    private void Expire(long now)
    {
        foreach (var (id, pending) in _pending)
        {
            if (_time.GetElapsedTime(pending.StartedTicks, now) > Timeout)
            {
                Drop(id, pending);
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
