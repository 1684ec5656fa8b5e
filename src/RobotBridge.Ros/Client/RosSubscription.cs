using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Protocol;
using RobotBridge.Ros.Serialization;

namespace RobotBridge.Ros.Client;

/// <summary>What the client needs from a subscription of any message type.</summary>
public abstract class RosSubscription : IDisposable
{
    private TaskCompletionSource _first = NewFirst();
    private long _lastTimestamp;
    private readonly RosbridgeClient _client;

    private protected RosSubscription(RosbridgeClient client, string topic, string type, string id, SubscribeOptions options)
    {
        _client = client;
        Topic = topic;
        Type = type;
        Id = id;
        Options = options;
        Compression = options.Compression;
    }

    public string Topic { get; }
    public string Type { get; }
    public string Id { get; }
    public SubscribeOptions Options { get; }

    /// <summary>The encoding in use now (may have fallen back from CBOR to JSON).</summary>
    public Compression Compression { get; internal set; }

    public long Received => Interlocked.Read(ref _received);
    /// <summary>This, <see cref="_decodeErrors"/> and <see cref="_lastTimestamp"/> are written by the
    /// client's receive thread only: plain updates published with volatile writes, no locked instruction.</summary>
    private long _received;

    /// <summary>Messages that failed to decode (reported through the client's status event).</summary>
    public long DecodeErrors => Interlocked.Read(ref _decodeErrors);
    private long _decodeErrors;

    /// <summary>Time since the last message, or null before the first one.</summary>
    public TimeSpan? Age
    {
        get
        {
            long last = Interlocked.Read(ref _lastTimestamp);
            return last == 0 ? null : Stopwatch.GetElapsedTime(last);
        }
    }

    /// <summary>Completes with true once a message arrived since the last (re)subscribe, false on timeout.
    /// rosbridge never acknowledges a subscribe, so the first message is the only proof it works.</summary>
    public async Task<bool> WaitForFirstMessageAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var first = Volatile.Read(ref _first).Task;
        var finished = await Task.WhenAny(first, Task.Delay(timeout, cancellationToken)).ConfigureAwait(false);
        return finished == first;
    }

    internal bool HasFirstMessage => Volatile.Read(ref _first).Task.IsCompleted;

    internal void ResetFirstMessage()
    {
        if (Volatile.Read(ref _first).Task.IsCompleted)
        {
            Volatile.Write(ref _first, NewFirst());
        }
    }

    internal void Deliver(IncomingMessage message)
    {
        try
        {
            DeliverTyped(message);
        }
        catch (RosbridgeFormatException)
        {
            Volatile.Write(ref _decodeErrors, _decodeErrors + 1);
            throw;
        }
        Delivered();
    }

    /// <summary>The hot path: decodes the msg bytes the envelope scan found (no DOM). False: the frame
    /// is not valid JSON after all (<see cref="PublishEnvelope.MsgValidated"/>); nothing was delivered.</summary>
    internal bool Deliver(in PublishEnvelope envelope)
    {
        try
        {
            if (!DeliverTyped(envelope))
            {
                return false;
            }
        }
        catch (RosbridgeFormatException)
        {
            Volatile.Write(ref _decodeErrors, _decodeErrors + 1);
            throw;
        }
        Delivered();
        return true;
    }

    private void Delivered()
    {
        Volatile.Write(ref _received, _received + 1);
        Volatile.Write(ref _lastTimestamp, Stopwatch.GetTimestamp());
        var first = Volatile.Read(ref _first);
        if (!first.Task.IsCompleted)
        {
            first.TrySetResult();
        }
    }

    private protected abstract void DeliverTyped(IncomingMessage message);

    private protected abstract bool DeliverTyped(in PublishEnvelope envelope);

    private static TaskCompletionSource NewFirst() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Unsubscribes (this id only).</summary>
    public void Dispose()
    {
        _client.Unsubscribe(this);
        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// A typed subscription. Messages are decoded on the receive thread into reused instances and either
/// handed to a callback (valid only during the call) or put in a bounded mailbox where the oldest
/// is dropped when full, so a slow consumer never grows memory.
/// </summary>
public sealed class RosSubscription<T> : RosSubscription where T : IRosMessage, new()
{
    private readonly Action<T>? _callback;
    private readonly object _gate = new();
    private readonly T[] _slots;
    private readonly Stack<T> _free = new();
    private int _head;
    private int _count;
    private T _spare = new();
    /// <summary>Body readers, reused across messages; only the receive thread uses them.</summary>
    private readonly BodyDecoder _decoder;

    internal RosSubscription(RosbridgeClient client, string topic, string type, string id, SubscribeOptions options, Action<T>? callback)
        : base(client, topic, type, id, options)
    {
        _callback = callback;
        _slots = new T[Math.Max(1, options.MailboxCapacity)];
        _decoder = new BodyDecoder($"publish 'msg' as {_spare.RosType}");
    }

    /// <summary>Messages evicted from the full mailbox.</summary>
    public long Dropped { get; private set; }

    private protected override void DeliverTyped(IncomingMessage message)
    {
        // Only the receive thread touches _spare, so decoding needs no lock.
        message.TryReadBody("msg", _spare);
        Hand();
    }

    private protected override bool DeliverTyped(in PublishEnvelope envelope)
    {
        if (!_decoder.TryDecode(envelope, _spare))
        {
            return false;
        }
        Hand();
        return true;
    }

    /// <summary>Gives the freshly decoded <see cref="_spare"/> to the callback or the mailbox.</summary>
    private void Hand()
    {
        if (_callback is not null)
        {
            _callback(_spare);
            return;
        }
        lock (_gate)
        {
            T? evicted = default;
            if (_count == _slots.Length)
            {
                evicted = _slots[_head];
                _head = (_head + 1) % _slots.Length;
                _count--;
                Dropped++;
            }
            _slots[(_head + _count) % _slots.Length] = _spare;
            _count++;
            _spare = evicted ?? (_free.Count > 0 ? _free.Pop() : new T());
        }
    }

    /// <summary>Takes the oldest message in the mailbox. Give it back with <see cref="Recycle"/> to avoid allocation.</summary>
    public bool TryTake([MaybeNullWhen(false)] out T message)
    {
        lock (_gate)
        {
            if (_count == 0)
            {
                message = default;
                return false;
            }
            message = _slots[_head];
            _slots[_head] = default!;
            _head = (_head + 1) % _slots.Length;
            _count--;
            return true;
        }
    }

    /// <summary>Returns a taken message instance for reuse.</summary>
    public void Recycle(T message)
    {
        lock (_gate)
        {
            if (_free.Count < _slots.Length + 1)
            {
                _free.Push(message);
            }
        }
    }
}
