using System.Buffers;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using RobotBridge.Ros.Protocol;

namespace RobotBridge.Ros.Client;

/// <summary>
/// One client WebSocket connection (RFC 6455) whose framing we own, because the receive path is the
/// robot laptop's hot path: the socket is read in large chunks into one pooled buffer and every
/// complete frame in it is dispatched in place (<see cref="WebSocketFrameReader"/>), with no await
/// and no copy per message. <see cref="ClientWebSocket"/> costs an async call through a small read
/// buffer per message, which measured slower than decoding the message itself. Supports ws:// and
/// wss:// (TLS via <see cref="SslStream"/>). Sends are serialized; one receive loop at a time.
/// <para>
/// The socket stays in blocking mode and is only ever used synchronously: the receive loop is a
/// thread of its own that sleeps in the kernel's recv until bytes come. Once .NET has run one async
/// operation on a socket it keeps the descriptor non-blocking for good, and every read that finds it
/// empty then goes through the epoll thread and a thread-pool hop (with idle pool threads spinning
/// on the way): that cost more CPU per camera frame than its decoding (issue 14 §5, measured in
/// docs/performance.md). Blocking calls are interrupted by <see cref="Abort"/> (shutdown, then close).
/// </para>
/// </summary>
internal sealed class WebSocketLink : IDisposable
{
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private const int MaxHandshakeBytes = 16 * 1024;
    /// <summary>The array a huge message was read into goes back to the pool at once; smaller ones are
    /// kept for the next large frame.</summary>
    private const int KeepLargeFrameArrayUpTo = 16 * 1024 * 1024;

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly Lock _writeLock = new();
    private readonly int _receiveBufferBytes;
    private readonly int _maxMessageBytes;
    private byte[] _leftover;
    private int _closeSent;

    private WebSocketLink(Socket socket, Stream stream, byte[] leftover, int receiveBufferBytes, int maxMessageBytes)
    {
        _socket = socket;
        _stream = stream;
        _leftover = leftover;
        _receiveBufferBytes = receiveBufferBytes;
        _maxMessageBytes = maxMessageBytes;
    }

    /// <summary>TCP connect, TLS for wss://, then the HTTP upgrade; throws <see cref="IOException"/>
    /// (or a socket/TLS exception) naming what failed, or <see cref="OperationCanceledException"/> when
    /// <paramref name="token"/> ends it first. Runs on a pool thread: every step blocks (see the class).</summary>
    public static Task<WebSocketLink> ConnectAsync(RosbridgeClientOptions options, CancellationToken token) =>
        Task.Run(() => Connect(options, token), token);

    private static WebSocketLink Connect(RosbridgeClientOptions options, CancellationToken token)
    {
        var uri = options.Uri;
        bool tls = uri.Scheme switch
        {
            "ws" => false,
            "wss" => true,
            _ => throw new IOException($"{uri} is not a ws:// or wss:// address"),
        };
        int port = uri.IsDefaultPort || uri.Port < 0 ? (tls ? 443 : 80) : uri.Port;
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            // A blocking connect or read is cut short by closing the socket under it.
            using (token.Register(static s => Abort((Socket)s!), socket))
            {
                socket.Connect(uri.IdnHost, port);
                stream = new NetworkStream(socket, ownsSocket: false);
                if (tls)
                {
                    var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                    stream = ssl;
                    ssl.AuthenticateAsClient(new SslClientAuthenticationOptions
                    {
                        TargetHost = uri.IdnHost,
                        RemoteCertificateValidationCallback = options.CertificateValidation,
                    });
                }
                byte[] leftover = Handshake(stream, uri);
                var link = new WebSocketLink(socket, stream, leftover, options.ReceiveBufferBytes, options.MaxMessageBytes);
                token.ThrowIfCancellationRequested();
                return link;
            }
        }
        catch (Exception e) when (token.IsCancellationRequested && e is not OperationCanceledException)
        {
            stream?.Dispose();
            socket.Dispose();
            throw new OperationCanceledException("connect cancelled", e, token);
        }
        catch
        {
            stream?.Dispose();
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends the upgrade request and checks the 101 answer; returns any frame bytes that came with it.</summary>
    private static byte[] Handshake(Stream stream, Uri uri)
    {
        string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        string request = $"GET {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                         $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
        stream.Write(Encoding.ASCII.GetBytes(request));
        var buffer = new byte[MaxHandshakeBytes];
        int length = 0;
        int end;
        while ((end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (length == buffer.Length)
            {
                throw new IOException($"the server's handshake answer exceeds {MaxHandshakeBytes} bytes");
            }
            int n = stream.Read(buffer.AsSpan(length));
            if (n == 0)
            {
                throw new IOException("the server closed the connection during the WebSocket handshake");
            }
            length += n;
        }
        var lines = Encoding.Latin1.GetString(buffer, 0, end).Split("\r\n");
        var status = lines[0].Split(' ', 3);
        if (status.Length < 2 || !status[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || status[1] != "101")
        {
            throw new IOException($"the server answered '{lines[0]}' instead of switching to WebSocket (101)");
        }
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }
#pragma warning disable CA5350 // RFC 6455 §4.2.2 fixes SHA-1 for Sec-WebSocket-Accept; it proves a WebSocket peer, it protects nothing.
        string expected = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + AcceptGuid)));
#pragma warning restore CA5350
        if (!headers.TryGetValue("Sec-WebSocket-Accept", out var accept) || accept != expected)
        {
            throw new IOException("the server's Sec-WebSocket-Accept does not match the key sent (not a WebSocket server?)");
        }
        if (!headers.TryGetValue("Upgrade", out var upgrade) || !upgrade.Equals("websocket", StringComparison.OrdinalIgnoreCase))
        {
            throw new IOException("the server's 101 answer lacks 'Upgrade: websocket'");
        }
        if (headers.TryGetValue("Sec-WebSocket-Extensions", out var extensions) && extensions.Length > 0)
        {
            throw new IOException($"the server enabled the extension '{extensions}' that was not offered");
        }
        return buffer.AsSpan(end + 4, length - end - 4).ToArray();
    }

    /// <summary>
    /// Starts the receive loop on a thread of its own and completes with why the link ended.
    /// <paramref name="onMessage"/> runs on that thread for every complete message. A protocol violation by the server closes the link with the matching
    /// status and a reason naming it. The loop ends when the server closes, or when <see cref="Abort"/>
    /// (which cancelling <paramref name="token"/> must be paired with) fails its blocked read.
    /// </summary>
    public Task<string> ReceiveAsync(MessageHandler onMessage, CancellationToken token)
    {
        var ended = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                ended.SetResult(Receive(onMessage, token));
            }
            catch (Exception e)
            {
                ended.SetException(e);
            }
        })
        { IsBackground = true, Name = "rosbridge receive" };
        thread.Start();
        return ended.Task;
    }

    private string Receive(MessageHandler onMessage, CancellationToken token)
    {
        using var reader = new WebSocketFrameReader(_maxMessageBytes);
        var sink = new Sink(onMessage);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(_receiveBufferBytes, _leftover.Length));
        // The array the last frame too large for `buffer` was read into, kept for the next one unless
        // the message decoded from it took it over.
        byte[]? large = null;
        _leftover.CopyTo(buffer, 0);
        int start = 0;
        int end = _leftover.Length;
        _leftover = [];
        try
        {
            while (true)
            {
                if (Parse(reader, buffer.AsMemory(start, end - start), sink, out int used, out int needed) is { } ended)
                {
                    return ended;
                }
                start += used;
                if (start == end)
                {
                    start = end = 0;
                }
                if (needed > buffer.Length)
                {
                    // A frame larger than the receive buffer (a camera image): read the rest of it straight
                    // into an array of its size, which its decoder may keep (FrameDonation) instead of
                    // copying the image out of it; the receive buffer never grows.
                    if (large is null || large.Length < needed)
                    {
                        ReturnToPool(large);
                        large = ArrayPool<byte>.Shared.Rent(needed);
                    }
                    int have = end - start;
                    buffer.AsSpan(start, have).CopyTo(large);
                    start = end = 0;
                    while (have < needed)
                    {
                        token.ThrowIfCancellationRequested();
                        int n = _stream.Read(large.AsSpan(have, needed - have));
                        if (n == 0)
                        {
                            return "the server closed the TCP connection without a WebSocket close";
                        }
                        have += n;
                    }
                    sink.Donation.Offer(large);
                    string? endedInLarge;
                    try
                    {
                        endedInLarge = Parse(reader, large.AsMemory(0, needed), sink, out _, out _);
                    }
                    finally
                    {
                        sink.Donation.Withdraw();
                    }
                    if (sink.Donation.Taken)
                    {
                        large = null;
                    }
                    else if (large.Length > KeepLargeFrameArrayUpTo)
                    {
                        ReturnToPool(large);
                        large = null;
                    }
                    if (endedInLarge is not null)
                    {
                        return endedInLarge;
                    }
                    continue;
                }
                if (needed > buffer.Length - start)
                {
                    // The next frame does not fit behind `start`: move its first bytes to the front.
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    end -= start;
                    start = 0;
                }
                token.ThrowIfCancellationRequested();
                int read = _stream.Read(buffer.AsSpan(end));
                if (read == 0)
                {
                    return "the server closed the TCP connection without a WebSocket close";
                }
                end += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ReturnToPool(large);
        }
    }

    private static void ReturnToPool(byte[]? array)
    {
        if (array is not null)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    /// <summary>Parses every complete frame <paramref name="data"/> holds and answers pings; returns why
    /// the link ends (a protocol violation by the server, or its close), or null.</summary>
    private string? Parse(WebSocketFrameReader reader, ReadOnlyMemory<byte> data, Sink sink, out int used, out int needed)
    {
        try
        {
            used = reader.Read(data, sink, out needed);
        }
        catch (WebSocketProtocolException e)
        {
            used = needed = 0;
            TrySendClose(e.Status, e.Message);
            return $"closed the link: {e.Message}";
        }
        if (sink.PendingPong is { } ping)
        {
            sink.PendingPong = null;
            Send(ping, WebSocketFrameWriter.Pong);
        }
        if (reader.CloseReceived)
        {
            TrySendClose(reader.CloseStatus ?? WebSocketCloseStatus.NormalClosure, "");
            return $"server closed the connection ({reader.CloseStatus} {reader.CloseDescription})";
        }
        return null;
    }

    /// <summary>Sends one final message (text or binary) or a control frame, masked. The write blocks
    /// (see the class) until the kernel has taken the frame; it completes before this returns.</summary>
    public Task SendAsync(ReadOnlyMemory<byte> payload, bool isText, CancellationToken token)
    {
        token.ThrowIfCancellationRequested();
        Send(payload, isText ? WebSocketFrameWriter.Text : WebSocketFrameWriter.Binary);
        return Task.CompletedTask;
    }

    private void Send(ReadOnlyMemory<byte> payload, byte opcode)
    {
        // Masked in chunks into one pooled buffer, so a large publish costs no payload-sized allocation.
        const int chunk = 64 * 1024;
        byte[] scratch = ArrayPool<byte>.Shared.Rent(WebSocketFrameWriter.MaxHeaderBytes + Math.Min(payload.Length, chunk));
        uint mask = BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4));
        try
        {
            lock (_writeLock)
            {
                int header = WebSocketFrameWriter.WriteHeader(scratch, opcode, payload.Length, mask);
                int offset = 0;
                do
                {
                    int take = Math.Min(chunk, payload.Length - offset);
                    int at = offset == 0 ? header : 0;
                    WebSocketFrameWriter.Mask(payload.Span.Slice(offset, take), scratch.AsSpan(at, take), mask, offset);
                    _stream.Write(scratch, 0, at + take);
                    offset += take;
                }
                while (offset < payload.Length);
                _stream.Flush();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>An unsolicited pong (RFC 6455 §5.5.3: a heartbeat that needs no answer), as
    /// <see cref="ClientWebSocket"/>'s keep-alive sends, so idle NATs and proxies keep the connection.</summary>
    public Task SendKeepAliveAsync(CancellationToken token)
    {
        token.ThrowIfCancellationRequested();
        Send(ReadOnlyMemory<byte>.Empty, WebSocketFrameWriter.Pong);
        return Task.CompletedTask;
    }

    /// <summary>Our close frame, once, best effort within a second: a peer that reads nothing leaves the
    /// write blocked, and the caller aborts the socket right after, which ends that write.</summary>
    private void TrySendClose(WebSocketCloseStatus status, string reason)
    {
        if (Interlocked.Exchange(ref _closeSent, 1) != 0)
        {
            return;
        }
        var payload = new byte[2 + Math.Min(Encoding.UTF8.GetByteCount(reason), 123)];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)status);
        // A reason longer than a control frame allows is cut at a character boundary.
        Encoding.UTF8.GetEncoder().Convert(reason, payload.AsSpan(2), flush: true, out _, out int written, out _);
        var send = Task.Run(() => Send(payload.AsMemory(0, 2 + written), WebSocketFrameWriter.Close));
        try
        {
            send.Wait(TimeSpan.FromSeconds(1));
        }
        catch (AggregateException e) when (e.InnerException is IOException or ObjectDisposedException or SocketException)
        {
            // The peer is gone; the link is torn down either way.
        }
    }

    /// <summary>Closes the connection at once (no close handshake); pending reads and writes fail.</summary>
    public void Abort() => Abort(_socket);

    private static void Abort(Socket socket)
    {
        try
        {
            // Shutdown first: it is what wakes a thread blocked in recv or send on this socket.
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Not connected yet, or already closed.
        }
        socket.Dispose();
    }

    public void Dispose()
    {
        Abort();
        _stream.Dispose();
    }

    /// <summary>Called for every complete message on the receive thread; the memory is valid only during
    /// the call, unless the decoder takes the frame's array over through <paramref name="donation"/>.</summary>
    internal delegate void MessageHandler(ReadOnlyMemory<byte> payload, bool isText, FrameDonation donation);

    private sealed class Sink(MessageHandler onMessage) : IWebSocketFrameSink
    {
        public byte[]? PendingPong { get; set; }

        public FrameDonation Donation { get; } = new();

        public void OnMessage(ReadOnlyMemory<byte> payload, bool isText) => onMessage(payload, isText, Donation);

        // Only the newest ping needs its pong (RFC 6455 §5.5.3).
        public void OnPing(ReadOnlySpan<byte> payload) => PendingPong = payload.ToArray();
    }
}
