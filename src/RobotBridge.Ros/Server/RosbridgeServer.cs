using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Protocol;

namespace RobotBridge.Ros.Server;

/// <summary>
/// A rosbridge v2 server: the ops of rosbridge_suite (advertise, publish, subscribe with throttle /
/// compression none|png|cbor, services in both directions, fragments, auth, the ROS 2 action ops)
/// over WebSockets on a raw <see cref="TcpListener"/>, bound to loopback by default. Unlike
/// rosbridge it answers every bad frame or failed op with a <c>status</c> message naming the fault.
/// Local code (the robot node) publishes, subscribes and provides services and actions through
/// <see cref="AdvertiseLocal{T}"/>, <see cref="SubscribeLocal{T}"/>, <see cref="ProvideService{TRequest,TResponse}"/>
/// and <see cref="ProvideAction{TGoal}"/>.
/// </summary>
public sealed partial class RosbridgeServer : IAsyncDisposable
{
    private readonly RosbridgeServerOptions _options;
    private readonly object _gate = new();
    private readonly Dictionary<string, ServerTopic> _topics = new(StringComparer.Ordinal);
    private readonly Dictionary<int, ServerSession> _sessions = [];
    private readonly CancellationTokenSource _stop = new();
    private TcpListener? _listener;
    private Task? _acceptLoop;
    private int _nextSessionId;

    public RosbridgeServer(RosbridgeServerOptions? options = null) => _options = options ?? new RosbridgeServerOptions();

    public RosDialect Dialect => _options.Dialect;

    /// <summary>The bound port (useful with port 0).</summary>
    public int Port { get; private set; }

    /// <summary>The address really bound (0.0.0.0 stays 0.0.0.0), for banners and logs.</summary>
    public Uri ListenUri => new($"ws://{(_options.Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{_options.Address}]" : _options.Address)}:{Port}");

    /// <summary>Where a local client connects (loopback when bound to every interface).</summary>
    public Uri Uri => new($"ws://{(_options.Address.Equals(IPAddress.Any) ? IPAddress.Loopback : _options.Address)}:{Port}");

    public int ClientCount
    {
        get
        {
            lock (_gate)
            {
                return _sessions.Count;
            }
        }
    }

    /// <summary>A client connected (raised on its connection task).</summary>
    public event Action<ServerSession>? ClientConnected;

    /// <summary>A client proved a role with a valid auth op (raised on its receive task).</summary>
    public event Action<ServerSession>? ClientAuthenticated;

    /// <summary>A client went away; the flag is true for a clean close handshake, false for a pulled link.</summary>
    public event Action<ServerSession, bool>? ClientDisconnected;

    /// <summary>Every status message sent to a client (diagnostics and tests).</summary>
    public event Action<ServerSession, string>? StatusSent;

    public void Start()
    {
        lock (_gate)
        {
            if (_listener is not null)
            {
                return;
            }
            _listener = new TcpListener(_options.Address, _options.Port);
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _acceptLoop = Task.Run(AcceptLoopAsync);
        }
        RegisterRosapi();
    }

    /// <summary>Aborts every client socket (simulates a pulled cable; clients reconnect on their own).</summary>
    public void DropAllConnections()
    {
        ServerSession[] sessions;
        lock (_gate)
        {
            sessions = [.. _sessions.Values];
        }
        foreach (var session in sessions)
        {
            session.Socket.Abort();
            session.Cancel.Cancel();
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient tcp;
            try
            {
                tcp = await _listener!.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = Task.Run(() => ServeClientAsync(tcp));
        }
    }

    private async Task ServeClientAsync(TcpClient tcp)
    {
        using var _ = tcp;
        tcp.NoDelay = true;
        var stream = tcp.GetStream();
        try
        {
            using var handshakeTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            handshakeTimeout.CancelAfter(TimeSpan.FromSeconds(5));
            if (!await WebSocketHandshake.AcceptAsync(stream, handshakeTimeout.Token).ConfigureAwait(false))
            {
                return;
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
            return;
        }
        using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
        {
            IsServer = true,
            KeepAliveInterval = TimeSpan.FromSeconds(10),
        });
        var session = new ServerSession(Interlocked.Increment(ref _nextSessionId), socket, tcp.Client.RemoteEndPoint,
            new SessionOutbox(_options.SendQueueBytes, _options.SendQueueCapacity, _options.SendStallTimeout))
        {
            Fragments = new FragmentAssembler { MaxPendingBytes = _options.MaxMessageBytes, Timeout = _options.FragmentTimeout },
            Authenticated = _options.Credentials is null,
        };
        lock (_gate)
        {
            _sessions[session.Id] = session;
        }
        Raise(() => ClientConnected?.Invoke(session));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, session.Cancel.Token);
        var send = SendLoopAsync(session, linked.Token);
        bool clean = await ReceiveLoopAsync(session, linked.Token).ConfigureAwait(false);
        await session.Cancel.CancelAsync().ConfigureAwait(false);
        await send.ConfigureAwait(false);
        session.Outbox.Close();
        RemoveSession(session);
        Raise(() => ClientDisconnected?.Invoke(session, clean));
    }

    private static async Task SendLoopAsync(ServerSession session, CancellationToken token)
    {
        try
        {
            while (true)
            {
                var frame = await session.Outbox.NextAsync(token).ConfigureAwait(false);
                try
                {
                    await session.Socket.SendAsync(frame.Memory,
                        frame.IsText ? WebSocketMessageType.Text : WebSocketMessageType.Binary, true, token).ConfigureAwait(false);
                }
                finally
                {
                    session.Outbox.Sent();
                    frame.Dispose();
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            session.Socket.Abort();
        }
    }

    /// <summary>Returns true when the client closed cleanly.</summary>
    private async Task<bool> ReceiveLoopAsync(ServerSession session, CancellationToken token)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        int length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= _options.MaxMessageBytes)
                    {
                        await session.Socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig,
                            $"message exceeds {_options.MaxMessageBytes} bytes; use the fragment op", token).ConfigureAwait(false);
                        return false;
                    }
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var result = await session.Socket.ReceiveAsync(buffer.AsMemory(length), token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    try
                    {
                        await session.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
                    {
                    }
                    return true;
                }
                length += result.Count;
                if (!result.EndOfMessage)
                {
                    continue;
                }
                session.Fragments.ExpireStale();
                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    SendStatus(session, "error", "binary frames are not accepted: send each rosbridge message as a JSON text frame", null);
                }
                else if (!HandleFrame(session, buffer.AsMemory(0, length)))
                {
                    return false;
                }
                length = 0;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void RemoveSession(ServerSession session)
    {
        lock (_gate)
        {
            _sessions.Remove(session.Id);
            foreach (var topic in session.Advertised.Keys)
            {
                ForgetIfUnused(topic);
            }
        }
        ForgetProvider(session);
    }

    private void ForgetIfUnused(string topic)
    {
        // Called under _gate. A topic nobody publishes, provides locally or subscribes to is dropped.
        if (!_topics.TryGetValue(topic, out var entry) || entry.IsLocal || entry.LocalHandlers.Count > 0)
        {
            return;
        }
        bool used = _sessions.Values.Any(s => s.Subscriptions.ContainsKey(topic) || s.Advertised.ContainsKey(topic));
        if (!used)
        {
            _topics.Remove(topic);
        }
    }

    /// <summary>True while the client with this session id is connected.</summary>
    internal bool IsConnected(int sessionId)
    {
        lock (_gate)
        {
            return _sessions.ContainsKey(sessionId);
        }
    }

    /// <summary>Topic names compare with a leading slash; what a client sent is echoed verbatim.</summary>
    internal static string Normalize(string name) => name.StartsWith('/') ? name : "/" + name;

    internal void SendStatus(ServerSession session, string level, string message, string? id)
    {
        session.Send(Frames.Status(level, message, id));
        Raise(() => StatusSent?.Invoke(session, $"{level}: {message}"));
    }

    private static void Raise(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Trace.TraceError($"rosbridge server event handler threw: {e}");
        }
    }

    // ---------------------------------------------------------------- publishing

    internal bool HasSubscribers(string topic)
    {
        string key = Normalize(topic);
        lock (_gate)
        {
            foreach (var s in _sessions.Values)
            {
                if (s.Subscriptions.ContainsKey(key))
                {
                    return true;
                }
            }
        }
        return false;
    }

    internal void PublishLocal(string topic, IRosMessage message) =>
        Fanout(Normalize(topic), new EncodedMessage(message, _options.Dialect), from: null);

    private void Fanout(string topic, EncodedMessage message, ServerSession? from)
    {
        List<(ServerSession Session, SessionTopic Sub)> targets = [];
        int depth;
        bool bulk;
        lock (_gate)
        {
            bool robotOwned = _topics.TryGetValue(topic, out var entry) && entry.IsLocal;
            bulk = entry is { Bulk: true };
            depth = robotOwned ? _options.RobotTopicQueueDepth : _options.ClientTopicQueueDepth;
            if (entry is not null && entry.Latched)
            {
                // Encode now: the typed instance is reused by its publisher and a relayed body dies with its frame.
                message.JsonBody();
                message.CborBody();
                entry.LatchedMessage = message;
            }
            foreach (var s in _sessions.Values)
            {
                if (s.Subscriptions.TryGetValue(topic, out var sub) && sub.Ids.Count > 0)
                {
                    targets.Add((s, sub));
                }
            }
        }
        long now = Stopwatch.GetTimestamp();
        foreach (var (session, sub) in targets)
        {
            int throttle = sub.ThrottleMs;
            if (throttle > 0 && sub.LastSentTimestamp != 0 && Stopwatch.GetElapsedTime(sub.LastSentTimestamp, now).TotalMilliseconds < throttle)
            {
                continue; // rosbridge drops, it does not delay
            }
            sub.LastSentTimestamp = now;
            if (!session.Wants(topic, depth))
            {
                continue;
            }
            try
            {
                session.Send(message.FrameFor(sub.ClientTopic, sub.Compression), topic, depth, bulk);
            }
            catch (Exception e) when (e is RosbridgeFormatException or InvalidOperationException or JsonException)
            {
                SendStatus(session, "error", $"could not encode a message on {sub.ClientTopic}: {e.Message}", null);
            }
        }
    }

    /// <summary>Declares a topic the server publishes.</summary>
    /// <param name="bulk">Large sensor data (camera images): a client's socket sends it only when no other message
    /// waits, so the robot's state and the replies to its clients never queue behind it.</param>
    public LocalPublisher<T> AdvertiseLocal<T>(string topic, bool latch = false, bool bulk = false) where T : IRosMessage, new()
    {
        string key = Normalize(topic);
        lock (_gate)
        {
            var entry = GetOrAddTopic(key);
            entry.Type = new T().RosType;
            entry.IsLocal = true;
            entry.Latched |= latch;
            entry.Bulk |= bulk;
        }
        return new LocalPublisher<T>(this, topic);
    }

    /// <summary>
    /// Handles messages clients publish on <paramref name="topic"/>: decoded strictly (unknown fields
    /// are an error, as in rosbridge) into a fresh <typeparamref name="T"/>; a bad message is answered
    /// with a status error to its sender and never reaches <paramref name="handler"/>.
    /// </summary>
    /// <param name="publisherRole">The least role a client needs to publish here (commands need an operator).</param>
    public void SubscribeLocal<T>(string topic, Action<T, ServerSession> handler, ClientRole publisherRole = ClientRole.Operator) where T : IRosMessage, new()
    {
        string key = Normalize(topic);
        lock (_gate)
        {
            var entry = GetOrAddTopic(key);
            entry.Type ??= new T().RosType;
            entry.PublisherRole = publisherRole;
            entry.LocalHandlers.Add((incoming, session) =>
            {
                // A publish without msg is an all-default message, as in rosbridge.
                var message = new T();
                incoming.TryReadBody("msg", message, strict: true);
                handler(message, session);
            });
        }
    }

    private ServerTopic GetOrAddTopic(string key)
    {
        if (!_topics.TryGetValue(key, out var entry))
        {
            _topics[key] = entry = new ServerTopic(key);
        }
        return entry;
    }

    /// <summary>Names and types of the known topics (rosapi/topics).</summary>
    public IReadOnlyList<(string Topic, string Type)> Topics()
    {
        lock (_gate)
        {
            return [.. _topics.Values.Where(t => t.Type is not null).Select(t => (t.Name, _options.Dialect.TypeName(t.Type!))).OrderBy(t => t.Item1)];
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener?.Stop();
        DropAllConnections();
        if (_acceptLoop is { } loop)
        {
            await loop.ConfigureAwait(false);
        }
        for (int i = 0; i < 50 && ClientCount > 0; i++)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }
    }
}
