using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace RobotBridge.Ros.Server;

/// <summary>The server half of the RFC 6455 opening handshake over a raw TCP stream.</summary>
internal static class WebSocketHandshake
{
    private const string Magic = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>Reads the HTTP upgrade request and answers 101; false (after a 400) for anything else.</summary>
    public static async Task<bool> AcceptAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        int length = 0;
        int end;
        while ((end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (length == buffer.Length)
            {
                await RefuseAsync(stream, "request headers too large", cancellationToken).ConfigureAwait(false);
                return false;
            }
            int n = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return false;
            }
            length += n;
        }
        string head = Encoding.ASCII.GetString(buffer, 0, end);
        string? key = null;
        bool upgrade = false;
        foreach (var line in head.Split("\r\n").Skip(1))
        {
            int colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }
            string name = line[..colon].Trim();
            string value = line[(colon + 1)..].Trim();
            if (name.Equals("Sec-WebSocket-Key", StringComparison.OrdinalIgnoreCase))
            {
                key = value;
            }
            else if (name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase) && value.Equals("websocket", StringComparison.OrdinalIgnoreCase))
            {
                upgrade = true;
            }
        }
        if (!head.StartsWith("GET ", StringComparison.Ordinal) || !upgrade || key is null)
        {
            await RefuseAsync(stream, "this is a rosbridge WebSocket endpoint; send a WebSocket upgrade", cancellationToken).ConfigureAwait(false);
            return false;
        }
#pragma warning disable CA5350 // RFC 6455 §4.2.2 fixes SHA-1 for Sec-WebSocket-Accept; it proves a WebSocket peer, it protects nothing.
        string accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + Magic)));
#pragma warning restore CA5350
        string response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                          $"Sec-WebSocket-Accept: {accept}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(response), cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static async Task RefuseAsync(NetworkStream stream, string reason, CancellationToken cancellationToken)
    {
        string body = reason + "\n";
        string response = $"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(response), cancellationToken).ConfigureAwait(false);
    }
}
