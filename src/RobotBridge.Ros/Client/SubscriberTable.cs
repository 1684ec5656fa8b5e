using System.Text;
using System.Text.Unicode;

namespace RobotBridge.Ros.Client;

/// <summary>
/// An immutable snapshot of the client's subscriptions by topic, replaced whole when one is added
/// or removed (rare), so the receive thread finds a frame's subscribers without a lock, a copy or a
/// topic string: the topic's UTF-8 bytes are looked up as chars on the stack.
/// </summary>
internal sealed class SubscriberTable
{
    private const int MaxStackTopicBytes = 512;

    private readonly Dictionary<string, RosSubscription[]> _byTopic;
    private readonly Dictionary<string, RosSubscription[]>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    public SubscriberTable(IEnumerable<KeyValuePair<string, List<RosSubscription>>> subscriptions)
    {
        _byTopic = new Dictionary<string, RosSubscription[]>(StringComparer.Ordinal);
        foreach (var (topic, list) in subscriptions)
        {
            _byTopic[topic] = [.. list];
        }
        _bySpan = _byTopic.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public static SubscriberTable Empty { get; } = new([]);

    public RosSubscription[]? Find(string topic) => _byTopic.GetValueOrDefault(topic);

    /// <summary>The subscribers (null: none) of the topic named by <paramref name="utf8"/>; false when
    /// the name is not valid UTF-8 (the caller reports the frame as bad).</summary>
    public bool TryFind(ReadOnlySpan<byte> utf8, out RosSubscription[]? subscribers)
    {
        subscribers = null;
        if (utf8.Length > MaxStackTopicBytes)
        {
            if (!Utf8.IsValid(utf8))
            {
                return false;
            }
            subscribers = Find(Encoding.UTF8.GetString(utf8));
            return true;
        }
        Span<char> chars = stackalloc char[utf8.Length];
        if (Utf8.ToUtf16(utf8, chars, out _, out int written, replaceInvalidSequences: false) != System.Buffers.OperationStatus.Done)
        {
            return false;
        }
        subscribers = _bySpan.TryGetValue(chars[..written], out var found) ? found : null;
        return true;
    }
}
