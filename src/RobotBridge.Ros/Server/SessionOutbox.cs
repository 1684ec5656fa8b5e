using System.Diagnostics;
using RobotBridge.Ros.Protocol;

namespace RobotBridge.Ros.Server;

/// <summary>
/// One client's outgoing frames, bounded three ways so a client that reads slowly (or never) costs the
/// server a fixed amount of memory and nobody else's latency: beyond <c>depth</c> queued messages of a
/// topic, one that has waited over 50 ms is replaced by the newer (a stale sensor frame is worth nothing
/// once a newer one waits; a burst still arrives whole), the whole queue
/// holds at most <see cref="ByteBudget"/> bytes and <see cref="FrameCapacity"/> frames, and a send that
/// has not completed for <see cref="StallTimeout"/> marks the client as stalled. Overflow and stall are
/// reported to the caller, which disconnects the client; frames without a topic (status, service and
/// action replies) are never dropped silently.
/// <para>Two lanes share the socket: bulk topics (camera images, ~1 MB each, milliseconds on the wire) go
/// only when nothing else waits, so a joint state, a goal's feedback or a reply queued behind them is sent
/// next, not after every image ahead of it (a real Fetch's joint states do not wait for its camera). Order
/// is kept within each lane; a topic is in one lane, so its messages keep their order.</para>
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "SemaphoreSlim holds a kernel handle only once AvailableWaitHandle is read, which nothing does")]
internal sealed class SessionOutbox(long byteBudget, int frameCapacity, TimeSpan stallTimeout)
{
    private readonly record struct Entry(PooledFrame Frame, string? Topic, long Enqueued);

    /// <summary>A queued topic message older than this is replaced by a newer one of its topic; younger ones
    /// all stay (a burst is delivered whole, a backlog is not).</summary>
    private static readonly TimeSpan StaleAfter = TimeSpan.FromMilliseconds(50);

    private readonly object _gate = new();
    private readonly LinkedList<Entry> _queue = new();
    private readonly LinkedList<Entry> _bulk = new();
    private readonly Dictionary<string, int> _perTopic = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _ready = new(0, 1);
    private long _bytes;
    private long _sendStarted;
    private bool _closed;

    public long ByteBudget { get; } = byteBudget;
    public int FrameCapacity { get; } = frameCapacity;
    public TimeSpan StallTimeout { get; } = stallTimeout;

    /// <summary>Frames replaced by a newer one of their topic.</summary>
    public long Dropped { get; private set; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count + _bulk.Count;
            }
        }
    }

    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Queues a frame (owning it from now on); <paramref name="bulk"/> frames (a topic's) yield the socket
    /// to all others. Returns null, or why the client must be disconnected.</summary>
    public string? Enqueue(PooledFrame frame, string? topic, int depth, bool bulk = false)
    {
        bulk &= topic is not null;
        var lane = bulk ? _bulk : _queue;
        lock (_gate)
        {
            if (_closed)
            {
                frame.Dispose();
                return null;
            }
            if (_sendStarted != 0 && Stopwatch.GetElapsedTime(_sendStarted) > StallTimeout)
            {
                frame.Dispose();
                return StallReason();
            }
            if (topic is not null && _perTopic.TryGetValue(topic, out int queued) && queued >= depth)
            {
                for (var node = lane.First; node is not null; node = node.Next)
                {
                    if (node.Value.Topic == topic)
                    {
                        if (Stopwatch.GetElapsedTime(node.Value.Enqueued) <= StaleAfter)
                        {
                            break;
                        }
                        Remove(node);
                        node.Value.Frame.Dispose();
                        Dropped++;
                        break;
                    }
                }
            }
            int count = _queue.Count + _bulk.Count;
            if (_bytes + frame.Length > ByteBudget || count >= FrameCapacity)
            {
                string reason = $"slow client: its send queue would exceed {(count >= FrameCapacity ? $"{FrameCapacity} frames" : $"{ByteBudget / 1024.0 / 1024.0:0.#} MiB")} " +
                                $"({count} frames, {_bytes / 1024.0 / 1024.0:0.0} MiB waiting)";
                frame.Dispose();
                return reason;
            }
            lane.AddLast(new Entry(frame, topic, Stopwatch.GetTimestamp()));
            _bytes += frame.Length;
            if (topic is not null)
            {
                _perTopic[topic] = _perTopic.GetValueOrDefault(topic) + 1;
            }
            if (_ready.CurrentCount == 0)
            {
                _ready.Release();
            }
            return null;
        }
    }

    /// <summary>
    /// False when a new message on <paramref name="topic"/> would only replace one already waiting while the
    /// socket is stuck in a send: the caller skips encoding it (for a client that does not read, copying every
    /// camera frame would cost the server CPU that the clients who do read need).
    /// </summary>
    public bool Accepts(string topic, int depth, out string? stalled)
    {
        lock (_gate)
        {
            stalled = null;
            if (_sendStarted == 0)
            {
                return true;
            }
            var sending = Stopwatch.GetElapsedTime(_sendStarted);
            if (sending > StallTimeout)
            {
                stalled = StallReason();
                return false;
            }
            if (sending > StuckSend && _perTopic.TryGetValue(topic, out int queued) && queued >= depth)
            {
                Dropped++;
                return false;
            }
            return true;
        }
    }

    private string StallReason() =>
        $"slow client: one send has not completed for over {StallTimeout.TotalSeconds:0.#} s ({_queue.Count + _bulk.Count} frames, {_bytes / 1024.0 / 1024.0:0.0} MiB waiting)";

    /// <summary>A send taking longer than this means the client is not reading right now.</summary>
    private static readonly TimeSpan StuckSend = TimeSpan.FromMilliseconds(250);

    /// <summary>Waits for the next frame (the oldest of the other lane before any bulk one); the caller sends it
    /// and then calls <see cref="Sent"/>.</summary>
    public async ValueTask<PooledFrame> NextAsync(CancellationToken token)
    {
        while (true)
        {
            lock (_gate)
            {
                if ((_queue.First ?? _bulk.First) is { } first)
                {
                    Remove(first);
                    _sendStarted = Stopwatch.GetTimestamp();
                    return first.Value.Frame;
                }
            }
            await _ready.WaitAsync(token).ConfigureAwait(false);
        }
    }

    public void Sent()
    {
        lock (_gate)
        {
            _sendStarted = 0;
        }
    }

    /// <summary>Drops everything queued and refuses what comes later.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            while ((_queue.First ?? _bulk.First) is { } node)
            {
                Remove(node);
                node.Value.Frame.Dispose();
            }
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        node.List!.Remove(node);
        _bytes -= node.Value.Frame.Length;
        if (node.Value.Topic is { } topic)
        {
            if (--_perTopic[topic] == 0)
            {
                _perTopic.Remove(topic);
            }
        }
    }
}
