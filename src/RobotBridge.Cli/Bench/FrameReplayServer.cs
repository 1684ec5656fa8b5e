using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace RobotBridge.Cli.Bench;

/// <summary>
/// The sending side of the client throughput rows: a WebSocket server that accepts one client and
/// writes the same pre-encoded rosbridge frame to it, over and over, as fast as the client reads.
/// On the robot, rosbridge runs on the robot's computer; only the client runs on the laptop, so the
/// figure must be the receiver's, not a local server's encoder competing for the same two cores.
/// Frames are batched into large writes so the sender costs next to nothing per message.
/// Whatever the client sends (subscribe) is read and ignored.
/// </summary>
internal sealed class FrameReplayServer : IDisposable
{
    private const string WebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private const int BatchBytes = 256 * 1024;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private readonly byte[] _batch;

    /// <param name="payload">One rosbridge message (JSON text or CBOR binary).</param>
    public FrameReplayServer(ReadOnlySpan<byte> payload, bool isText)
    {
        var frame = Frame(payload, isText);
        FrameBytes = frame.Length;
        int copies = Math.Max(1, BatchBytes / frame.Length);
        _batch = new byte[copies * frame.Length];
        for (int i = 0; i < copies; i++)
        {
            frame.CopyTo(_batch, i * frame.Length);
        }
        _listener.Start();
        Uri = new Uri($"ws://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _thread = new Thread(Serve) { IsBackground = true, Name = "frame replay" };
        _thread.Start();
    }

    public Uri Uri { get; }

    /// <summary>One frame's size on the wire (header + payload).</summary>
    public int FrameBytes { get; }

    /// <summary>A final unmasked WebSocket frame (server to client) around <paramref name="payload"/>.</summary>
    private static byte[] Frame(ReadOnlySpan<byte> payload, bool isText)
    {
        int header = payload.Length < 126 ? 2 : payload.Length <= ushort.MaxValue ? 4 : 10;
        var frame = new byte[header + payload.Length];
        frame[0] = (byte)(0x80 | (isText ? 0x1 : 0x2));
        if (header == 2)
        {
            frame[1] = (byte)payload.Length;
        }
        else if (header == 4)
        {
            frame[1] = 126;
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
        }
        else
        {
            frame[1] = 127;
            BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)payload.Length);
        }
        payload.CopyTo(frame.AsSpan(header));
        return frame;
    }

    private void Serve()
    {
        try
        {
            using var client = _listener.AcceptTcpClient();
            client.NoDelay = true;
            using var stream = client.GetStream();
            Handshake(stream);
            // Drain what the client sends so its send buffer never fills; the content does not matter.
            var drain = new Thread(() =>
            {
                var sink = new byte[4096];
                try
                {
                    while (stream.Read(sink) > 0)
                    {
                    }
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException)
                {
                }
            })
            { IsBackground = true };
            drain.Start();
            while (!_stop.IsCancellationRequested)
            {
                stream.Write(_batch);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The receiver finished and closed the connection, or the bench stopped us.
        }
    }

    private static void Handshake(NetworkStream stream)
    {
        var request = new StringBuilder();
        var one = new byte[1];
        while (!request.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (stream.Read(one) == 0 || request.Length > 16 * 1024)
            {
                throw new IOException("the client closed before finishing its WebSocket handshake");
            }
            request.Append((char)one[0]);
        }
        string? key = request.ToString().Split("\r\n")
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2 && parts[0].Trim().Equals("Sec-WebSocket-Key", StringComparison.OrdinalIgnoreCase))
            .Select(parts => parts[1].Trim())
            .FirstOrDefault() ?? throw new IOException("the client's handshake has no Sec-WebSocket-Key");
#pragma warning disable CA5350 // RFC 6455 §4.2.2 fixes SHA-1 for Sec-WebSocket-Accept; it proves a WebSocket peer, it protects nothing.
        string accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + WebSocketGuid)));
#pragma warning restore CA5350
        stream.Write(Encoding.ASCII.GetBytes(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Accept: {accept}\r\n\r\n"));
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _thread.Join(TimeSpan.FromSeconds(5));
    }
}
