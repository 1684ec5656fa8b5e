using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Protocol;
using RobotBridge.Ros.Serialization;

namespace RobotBridge.Ros.Client;

/// <summary>
/// A rosbridge v2 client over a WebSocket (<see cref="WebSocketLink"/>) with a supervised connection: it
/// reconnects with exponential backoff and then re-advertises, resubscribes and re-advertises its
/// services; state changes are an event; nothing the socket does ever throws on the caller's thread
/// (failures surface as <see cref="StateChanged"/>, <see cref="StatusReceived"/>, dropped publishes or
/// a faulted call task). Every call is timed out by the client itself, because real rosbridge never
/// sends status messages and may never answer (reference §8).
/// </summary>
public sealed partial class RosbridgeClient : IAsyncDisposable, IDisposable
{
    private sealed class Connection(WebSocketLink socket, Channel<PooledFrame> outgoing)
    {
        public WebSocketLink Socket { get; } = socket;
        public Channel<PooledFrame> Outgoing { get; } = outgoing;
        public CancellationTokenSource Cancel { get; } = new();
    }

    private readonly RosbridgeClientOptions _options;
    private readonly object _gate = new();
    private readonly Dictionary<string, List<RosSubscription>> _subscriptions = new(StringComparer.Ordinal);
    /// <summary>Snapshot of <see cref="_subscriptions"/> for the receive thread; replaced under <see cref="_gate"/>.</summary>
    private SubscriberTable _subscribers = SubscriberTable.Empty;
    /// <summary>Reused by the receive thread to scan binary frames.</summary>
    private readonly System.Formats.Cbor.CborReader _cborScanner = new(ReadOnlyMemory<byte>.Empty, System.Formats.Cbor.CborConformanceMode.Lax);
    private readonly Dictionary<string, (string Topic, string Type, bool Latch, int QueueSize)> _advertised = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ServiceProvider> _services = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PendingReply> _pending = new(StringComparer.Ordinal);
    private readonly FragmentAssembler _fragments = new();
    private readonly CancellationTokenSource _stop = new();
    private Connection? _connection;
    private Task? _supervisor;
    private long _nextId;
    private int _state = (int)ConnectionState.Idle;
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RosbridgeClient(RosbridgeClientOptions options) => _options = options;

    public RosbridgeClientOptions Options => _options;

    public RosDialect Dialect => _options.Dialect;

    public ConnectionState State => (ConnectionState)Volatile.Read(ref _state);

    /// <summary>Raised on the supervisor thread; handler exceptions are swallowed and reported as status.</summary>
    public event EventHandler<ConnectionStateChangedEventArgs>? StateChanged;

    /// <summary>Server <c>status</c> messages and problems found in received frames (bad JSON/CBOR, decode errors).</summary>
    public event EventHandler<RosbridgeStatusEventArgs>? StatusReceived;

    /// <summary>Successful connects so far (1 after the first, 2 after the first reconnect, ...).</summary>
    public int ConnectCount { get; private set; }

    public long FramesReceived => Interlocked.Read(ref _framesReceived);
    /// <summary>Written by the receive thread only (a plain increment published with a volatile write).</summary>
    private long _framesReceived;

    public long BadFrames => Interlocked.Read(ref _badFrames);
    private long _badFrames;

    /// <summary>Starts the supervisor (idempotent). Connecting happens in the background.</summary>
    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            _supervisor ??= Task.Run(SuperviseAsync);
        }
    }

    /// <summary>Waits until connected; false on timeout. Starts the client if needed.</summary>
    public async Task<bool> WaitConnectedAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Start();
        var connected = Volatile.Read(ref _connected).Task;
        var done = await Task.WhenAny(connected, Task.Delay(timeout, cancellationToken)).ConfigureAwait(false);
        return done == connected;
    }

    /// <summary>Closes the current socket abruptly (test hook and "pull the cable" for operators).
    /// The supervisor reconnects as usual.</summary>
    public void AbortConnection()
    {
        var connection = Volatile.Read(ref _connection);
        connection?.Socket.Abort();
    }

    // ---------------------------------------------------------------- supervision

    private async Task SuperviseAsync()
    {
        var delay = _options.ReconnectDelayMin;
        while (!_stop.IsCancellationRequested)
        {
            SetState(ConnectionState.Connecting, null);
            WebSocketLink? socket = null;
            string? failure = null;
            try
            {
                using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                connectTimeout.CancelAfter(_options.ConnectTimeout);
                socket = await WebSocketLink.ConnectAsync(_options, connectTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                failure = $"connect to {_options.Uri} failed: no WebSocket within {_options.ConnectTimeout.TotalSeconds:0.###} s";
            }
            catch (Exception e) when (e is IOException or SocketException or AuthenticationException)
            {
                failure = $"connect to {_options.Uri} failed: {e.Message}";
            }
            if (socket is not null)
            {
                delay = _options.ReconnectDelayMin;
                failure = await RunConnectionAsync(socket).ConfigureAwait(false);
                socket.Dispose();
            }
            if (_stop.IsCancellationRequested)
            {
                break;
            }
            SetState(ConnectionState.Lost, failure);
            try
            {
                await Task.Delay(delay, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ReconnectDelayMax.Ticks));
        }
        SetState(ConnectionState.Idle, "disposed");
    }

    /// <summary>Runs one connected session; returns why it ended.</summary>
    private async Task<string> RunConnectionAsync(WebSocketLink socket)
    {
        var outgoing = Channel.CreateBounded<PooledFrame>(
            new BoundedChannelOptions(_options.SendQueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            static dropped => dropped.Dispose());
        var connection = new Connection(socket, outgoing);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, connection.Cancel.Token);
        lock (_gate)
        {
            Volatile.Write(ref _connection, connection);
            ConnectCount++;
            if (_options.Auth is { } auth)
            {
                Enqueue(connection, AuthFrame(auth));
            }
            ReplayRegistrations(connection);
        }
        SetState(ConnectionState.Connected, null);
        Volatile.Read(ref _connected).TrySetResult();

        var send = SendLoopAsync(connection, linked.Token);
        var receive = ReceiveLoopAsync(connection, linked.Token);
        var keepAlive = KeepAliveAsync(connection, linked.Token);
        var first = await Task.WhenAny(send, receive, keepAlive).ConfigureAwait(false);
        string reason = first.Result;
        await connection.Cancel.CancelAsync().ConfigureAwait(false);
        socket.Abort();
        await Task.WhenAll(send, receive, keepAlive).ConfigureAwait(false);

        lock (_gate)
        {
            Volatile.Write(ref _connection, null);
            Volatile.Write(ref _connected, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }
        outgoing.Writer.TryComplete();
        while (outgoing.Reader.TryRead(out var stale))
        {
            stale.Dispose();
        }
        foreach (var (id, pending) in _pending)
        {
            if (_pending.TryRemove(id, out _))
            {
                pending.Fail(new RosbridgeCallException($"{pending.What}: connection lost ({reason})"));
            }
        }
        return reason;
    }

    private void ReplayRegistrations(Connection connection)
    {
        foreach (var (id, a) in _advertised)
        {
            Enqueue(connection, AdvertiseFrame(id, a.Topic, a.Type, a.Latch, a.QueueSize));
        }
        foreach (var list in _subscriptions.Values)
        {
            foreach (var sub in list)
            {
                sub.ResetFirstMessage();
                Enqueue(connection, SubscribeFrame(sub));
                ScheduleCborFallback(sub);
            }
        }
        foreach (var service in _services.Values)
        {
            Enqueue(connection, AdvertiseServiceFrame(service.Service, service.Type));
        }
    }

    private static async Task<string> SendLoopAsync(Connection connection, CancellationToken token)
    {
        try
        {
            await foreach (var frame in connection.Outgoing.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                try
                {
                    await connection.Socket.SendAsync(frame.Memory, frame.IsText, token).ConfigureAwait(false);
                }
                finally
                {
                    frame.Dispose();
                }
            }
            return "send queue closed";
        }
        catch (OperationCanceledException)
        {
            return "cancelled";
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            return $"send failed: {e.Message}";
        }
    }

    /// <summary>A heartbeat every 10 s, as ClientWebSocket's keep-alive did; ends only with the connection.</summary>
    private static async Task<string> KeepAliveAsync(Connection connection, CancellationToken token)
    {
        try
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10));
            while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
            {
                await connection.Socket.SendKeepAliveAsync(token).ConfigureAwait(false);
            }
            return "keep-alive stopped";
        }
        catch (OperationCanceledException)
        {
            return "cancelled";
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            return $"send failed: {e.Message}";
        }
    }

    private async Task<string> ReceiveLoopAsync(Connection connection, CancellationToken token)
    {
        try
        {
            return await connection.Socket.ReceiveAsync(OnMessage, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return "cancelled";
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // A blocked read is ended by aborting the socket, which is also how a cancel arrives.
            return token.IsCancellationRequested ? "cancelled" : $"receive failed: {e.Message}";
        }
    }

    /// <summary>Every complete message, on the receive loop's thread, straight from the receive buffer.</summary>
    private void OnMessage(ReadOnlyMemory<byte> frame, bool isText, FrameDonation donation)
    {
        Volatile.Write(ref _framesReceived, _framesReceived + 1);
        Dispatch(frame, isText, donation);
    }

    private void SetState(ConnectionState state, string? reason)
    {
        var previous = (ConnectionState)Interlocked.Exchange(ref _state, (int)state);
        if (previous == state)
        {
            return;
        }
        try
        {
            StateChanged?.Invoke(this, new ConnectionStateChangedEventArgs(previous, state, reason));
        }
        catch (Exception e)
        {
            Report("error", $"StateChanged handler threw: {e.Message}", null);
        }
    }

    private void Report(string level, string message, string? id)
    {
        try
        {
            StatusReceived?.Invoke(this, new RosbridgeStatusEventArgs(level, message, id));
        }
        catch (Exception)
        {
            // A throwing status handler must not take the receive loop down with it.
        }
    }

    // ---------------------------------------------------------------- sending

    private static bool Enqueue(Connection connection, PooledFrame frame)
    {
        if (connection.Outgoing.Writer.TryWrite(frame))
        {
            return true;
        }
        frame.Dispose();
        return false;
    }

    /// <summary>Queues a frame on the live connection (fragmenting long text when configured); false
    /// and the frame is released when there is no connection.</summary>
    internal bool TrySend(PooledFrame frame)
    {
        var connection = Volatile.Read(ref _connection);
        if (connection is null)
        {
            frame.Dispose();
            return false;
        }
        if (_options.FragmentSize is int size && frame.IsText && frame.Length > size)
        {
            string text = Encoding.UTF8.GetString(frame.Memory.Span);
            frame.Dispose();
            string id = $"fragment:{Guid.NewGuid():N}";
            bool all = true;
            foreach (var part in FragmentAssembler.Split(text, id, size))
            {
                all &= Enqueue(connection, part);
            }
            return all;
        }
        return Enqueue(connection, frame);
    }

    private string NextId(string op, string name) => $"{op}:{name}:{Interlocked.Increment(ref _nextId)}";

    internal bool SendPublish(string topic, IRosMessage message)
    {
        if (State != ConnectionState.Connected)
        {
            return false;
        }
        var frame = Frames.Json((topic, message, _options.Dialect), static (json, s) =>
        {
            json.WriteStartObject();
            json.WriteString("op"u8, "publish"u8);
            json.WriteString("topic"u8, s.topic);
            json.WritePropertyName("msg"u8);
            s.message.Write(new JsonRosWriter(json, s.Dialect));
            json.WriteEndObject();
        });
        return TrySend(frame);
    }

    private static PooledFrame AuthFrame(RosAuthRequest auth) => Frames.Json(auth, static (json, a) =>
    {
        json.WriteStartObject();
        json.WriteString("op"u8, "auth"u8);
        json.WriteString("mac"u8, a.Mac);
        json.WriteString("client"u8, a.Client);
        json.WriteString("dest"u8, a.Dest);
        json.WriteString("rand"u8, a.Rand);
        json.WriteNumber("t"u8, a.T);
        json.WriteString("level"u8, a.Level);
        json.WriteNumber("end"u8, a.End);
        json.WriteEndObject();
    });

    private static PooledFrame AdvertiseFrame(string id, string topic, string type, bool latch, int queueSize) =>
        Frames.Json((id, topic, type, latch, queueSize), static (json, s) =>
        {
            json.WriteStartObject();
            json.WriteString("op"u8, "advertise"u8);
            json.WriteString("id"u8, s.id);
            json.WriteString("topic"u8, s.topic);
            json.WriteString("type"u8, s.type);
            json.WriteBoolean("latch"u8, s.latch);
            json.WriteNumber("queue_size"u8, s.queueSize);
            json.WriteEndObject();
        });

    private static PooledFrame SubscribeFrame(RosSubscription sub) => Frames.Json(sub, static (json, s) =>
    {
        json.WriteStartObject();
        json.WriteString("op"u8, "subscribe"u8);
        json.WriteString("id"u8, s.Id);
        json.WriteString("topic"u8, s.Topic);
        json.WriteString("type"u8, s.Type);
        json.WriteNumber("throttle_rate"u8, s.Options.ThrottleRateMs);
        json.WriteNumber("queue_length"u8, s.Options.QueueLength);
        if (s.Options.FragmentSize is int fragmentSize)
        {
            json.WriteNumber("fragment_size"u8, fragmentSize);
        }
        json.WriteString("compression"u8, s.Compression.ToWire());
        json.WriteEndObject();
    });

    private static PooledFrame TopicOpFrame(string op, string topic, string? id) => Frames.Json((op, topic, id), static (json, s) =>
    {
        json.WriteStartObject();
        json.WriteString("op"u8, s.op);
        if (s.id is not null)
        {
            json.WriteString("id"u8, s.id);
        }
        json.WriteString("topic"u8, s.topic);
        json.WriteEndObject();
    });

    private static PooledFrame AdvertiseServiceFrame(string service, string type) => Frames.Json((service, type), static (json, s) =>
    {
        json.WriteStartObject();
        json.WriteString("op"u8, "advertise_service"u8);
        json.WriteString("service"u8, s.service);
        json.WriteString("type"u8, s.type);
        json.WriteEndObject();
    });

    // ---------------------------------------------------------------- topics

    /// <summary>Advertises <paramref name="topic"/>; re-advertised after every reconnect.</summary>
    public RosPublisher<T> Advertise<T>(string topic, bool latch = false, int queueSize = 100) where T : IRosMessage, new()
    {
        string type = _options.Dialect.TypeName(new T().RosType);
        string id = NextId("advertise", topic);
        lock (_gate)
        {
            _advertised[id] = (topic, type, latch, queueSize);
            if (_connection is { } c)
            {
                Enqueue(c, AdvertiseFrame(id, topic, type, latch, queueSize));
            }
        }
        return new RosPublisher<T>(this, topic, type, id, latch, queueSize);
    }

    internal void Unadvertise<T>(RosPublisher<T> publisher) where T : IRosMessage
    {
        lock (_gate)
        {
            if (_advertised.Remove(publisher.Id) && _connection is { } c)
            {
                Enqueue(c, TopicOpFrame("unadvertise", publisher.Topic, publisher.Id));
            }
        }
    }

    /// <summary>
    /// Subscribes with a bounded mailbox (<see cref="SubscribeOptions.MailboxCapacity"/>, default latest
    /// value only), or with <paramref name="onMessage"/> called on the receive thread with a reused
    /// instance that is valid only during the call. Resubscribed after every reconnect.
    /// </summary>
    public RosSubscription<T> Subscribe<T>(string topic, SubscribeOptions? options = null, Action<T>? onMessage = null) where T : IRosMessage, new()
    {
        options ??= SubscribeOptions.Default;
        string type = _options.Dialect.TypeName(new T().RosType);
        var sub = new RosSubscription<T>(this, topic, type, NextId("subscribe", topic), options, onMessage);
        lock (_gate)
        {
            if (!_subscriptions.TryGetValue(topic, out var list))
            {
                _subscriptions[topic] = list = [];
            }
            list.Add(sub);
            Volatile.Write(ref _subscribers, new SubscriberTable(_subscriptions));
            if (_connection is { } c)
            {
                Enqueue(c, SubscribeFrame(sub));
                ScheduleCborFallback(sub);
            }
        }
        return sub;
    }

    internal void Unsubscribe(RosSubscription sub)
    {
        lock (_gate)
        {
            if (_subscriptions.TryGetValue(sub.Topic, out var list) && list.Remove(sub))
            {
                if (list.Count == 0)
                {
                    _subscriptions.Remove(sub.Topic);
                }
                Volatile.Write(ref _subscribers, new SubscriberTable(_subscriptions));
                if (_connection is { } c)
                {
                    Enqueue(c, TopicOpFrame("unsubscribe", sub.Topic, sub.Id));
                }
            }
        }
    }

    private void ScheduleCborFallback(RosSubscription sub)
    {
        if (sub.Compression != Compression.Cbor || sub.Options.FallbackToJsonAfter is not { } wait)
        {
            return;
        }
        _ = Task.Run(async () =>
        {
            try
            {
                if (await sub.WaitForFirstMessageAsync(wait, _stop.Token).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            lock (_gate)
            {
                if (sub.Compression != Compression.Cbor || sub.HasFirstMessage || _connection is not { } c)
                {
                    return;
                }
                sub.Compression = Compression.None;
                Enqueue(c, TopicOpFrame("unsubscribe", sub.Topic, sub.Id));
                Enqueue(c, SubscribeFrame(sub));
            }
            Report("warning", $"no CBOR message on {sub.Topic} within {wait.TotalSeconds:0.#} s; resubscribed with JSON " +
                              "(rosbridge 1 cannot CBOR-encode string[] or fixed-size arrays)", sub.Id);
        });
    }

    // ---------------------------------------------------------------- dispatch

    private void Dispatch(ReadOnlyMemory<byte> frame, bool isText, FrameDonation? donation = null)
    {
        if (TryDeliverPublishFast(frame, isText, donation))
        {
            return;
        }
        IncomingMessage message;
        try
        {
            message = isText ? IncomingMessage.ParseJson(frame) : IncomingMessage.ParseCbor(frame);
        }
        catch (RosbridgeFormatException e)
        {
            Interlocked.Increment(ref _badFrames);
            Report("error", $"bad {(isText ? "text" : "binary")} frame: {e.Message}", null);
            return;
        }
        using (message)
        {
            try
            {
                Handle(message);
            }
            catch (Exception e) when (e is RosbridgeFormatException or JsonException or InvalidOperationException or FormatException)
            {
                Interlocked.Increment(ref _badFrames);
                Report("error", $"{message.Op}: {e.Message}", message.GetIdText());
            }
        }
    }

    private void Handle(IncomingMessage message)
    {
        switch (message.Op)
        {
            case "publish":
                DeliverPublish(message);
                break;
            case "fragment":
                if (_fragments.Add(message) is { } whole)
                {
                    Dispatch(Encoding.UTF8.GetBytes(whole), isText: true);
                }
                break;
            case "png":
                Dispatch(PngPacking.Unpack(Convert.FromBase64String(message.Require("data"))), isText: true);
                break;
            case "service_response":
            case "action_result":
            case "action_feedback":
                CompletePending(message);
                break;
            case "call_service":
                ServeCall(message);
                break;
            case "status":
                Report(message.GetString("level") ?? "info", message.GetString("msg") ?? "", message.GetIdText());
                break;
            default:
                Report("warning", $"ignored op '{message.Op}' from the server", message.GetIdText());
                break;
        }
    }

    /// <summary>The hot path: a well-formed publish frame is scanned without a DOM and each subscriber
    /// decodes its msg bytes directly. Anything else (false) takes the general path, which reports faults.</summary>
    private bool TryDeliverPublishFast(ReadOnlyMemory<byte> frame, bool isText, FrameDonation? donation)
    {
        PublishEnvelope envelope;
        bool scanned = isText ? PublishEnvelope.TryScanJson(frame, out envelope) : PublishEnvelope.TryScanCbor(frame, _cborScanner, out envelope);
        if (!scanned || !Volatile.Read(ref _subscribers).TryFind(envelope.Topic.Span, out var targets))
        {
            return false;
        }
        // An unwalked msg is validated while the (usually only) subscriber decodes it. With several (or
        // none), the frame is walked first, so one that turns out invalid is never half delivered; and a
        // single subscriber's decline (msg was not the last field, or not valid) gets the walked scan too.
        if (!envelope.MsgValidated && targets is not { Length: 1 } && !PublishEnvelope.TryScanJson(frame, out envelope, walkMsg: true))
        {
            return false;
        }
        if (targets is [var only] && !envelope.MsgValidated)
        {
            return Deliver(only, envelope) || (PublishEnvelope.TryScanJson(frame, out envelope, walkMsg: true) && Deliver(only, envelope));
        }
        if (targets is [var single])
        {
            // Only a sole subscriber may take the frame's array over: with several, one callback could
            // change the bytes the next one decodes.
            Deliver(single, envelope.WithDonation(donation));
            return true;
        }
        foreach (var sub in targets ?? [])
        {
            Deliver(sub, envelope);
        }
        return true;
    }

    /// <summary>One subscriber's delivery; faults are reported. False only when an unwalked msg declined.</summary>
    private bool Deliver(RosSubscription sub, in PublishEnvelope envelope)
    {
        try
        {
            return sub.Deliver(envelope);
        }
        catch (RosbridgeFormatException e)
        {
            Report("error", $"{sub.Topic}: {e.Message}", sub.Id);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Report("error", $"{sub.Topic}: subscriber callback threw {e.GetType().Name}: {e.Message}", sub.Id);
        }
        return true;
    }

    private void DeliverPublish(IncomingMessage message)
    {
        string topic = message.Require("topic");
        foreach (var sub in Volatile.Read(ref _subscribers).Find(topic) ?? [])
        {
            try
            {
                sub.Deliver(message);
            }
            catch (RosbridgeFormatException e)
            {
                Report("error", $"{topic}: {e.Message}", sub.Id);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Report("error", $"{topic}: subscriber callback threw {e.GetType().Name}: {e.Message}", sub.Id);
            }
        }
    }

    // ---------------------------------------------------------------- disposal

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        Volatile.Read(ref _connection)?.Socket.Abort();
        if (_supervisor is { } supervisor)
        {
            await supervisor.ConfigureAwait(false);
        }
        foreach (var (id, pending) in _pending)
        {
            if (_pending.TryRemove(id, out _))
            {
                pending.Fail(new ObjectDisposedException(nameof(RosbridgeClient)));
            }
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
