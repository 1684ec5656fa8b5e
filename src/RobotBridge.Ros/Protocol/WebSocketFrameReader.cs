using System.Buffers;
using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text.Unicode;

namespace RobotBridge.Ros.Protocol;

/// <summary>Where <see cref="WebSocketFrameReader"/> hands what it parsed. Called on the reading thread;
/// the payload memory is valid only during the call.</summary>
public interface IWebSocketFrameSink
{
    /// <summary>A complete data message (one final frame, or a fragmented message reassembled).</summary>
    void OnMessage(ReadOnlyMemory<byte> payload, bool isText);

    /// <summary>A ping from the server; the caller owes it a pong with the same payload (at most 125 bytes).</summary>
    void OnPing(ReadOnlySpan<byte> payload);
}

/// <summary>The server broke RFC 6455; the link must be closed with <see cref="Status"/>.</summary>
public sealed class WebSocketProtocolException(WebSocketCloseStatus status, string message) : Exception(message)
{
    public WebSocketCloseStatus Status { get; } = status;
}

/// <summary>
/// Parses server-to-client WebSocket frames (RFC 6455 §5) in place, as many as a buffer holds, with no
/// await and no copy per message: a final data frame is handed over as a slice of the caller's buffer.
/// Only fragmented messages are copied (into a pooled assembly buffer, bounded by the message limit).
/// Server frames must be unmasked and carry no reserved bits (this client negotiates no extension);
/// control frames must be final and at most 125 bytes; text messages must be valid UTF-8; a message
/// may not exceed <c>maxMessageBytes</c>. Any violation is a <see cref="WebSocketProtocolException"/>
/// naming it, thrown before anything of the offending frame reaches the sink. Not thread-safe.
/// </summary>
public sealed class WebSocketFrameReader(int maxMessageBytes) : IDisposable
{
    /// <summary>The longest header a frame can have: 2 bytes + 8-byte length (server frames carry no mask).</summary>
    public const int MaxHeaderBytes = 10;

    private const int MaxControlPayload = 125;

    private byte[] _assembly = [];
    private int _assembled;
    private bool _assembling;
    private bool _assemblingText;

    public int MaxMessageBytes { get; } = maxMessageBytes;

    /// <summary>Set once the server's close frame was read; nothing after it is parsed.</summary>
    public bool CloseReceived { get; private set; }

    /// <summary>The status the server closed with (null when its close frame had no payload).</summary>
    public WebSocketCloseStatus? CloseStatus { get; private set; }

    public string CloseDescription { get; private set; } = "";

    /// <summary>
    /// Parses every complete frame at the start of <paramref name="buffer"/> and returns how many bytes
    /// they took. <paramref name="needed"/> is then the size the next, incomplete frame needs from the
    /// returned offset on (its header's bytes until the header is complete, then header plus payload),
    /// so the caller can grow its buffer once and read the rest straight into it.
    /// </summary>
    public int Read(ReadOnlyMemory<byte> buffer, IWebSocketFrameSink sink, out int needed)
    {
        int offset = 0;
        needed = 2;
        var span = buffer.Span;
        while (!CloseReceived)
        {
            int available = span.Length - offset;
            if (available < 2)
            {
                needed = 2;
                return offset;
            }
            byte first = span[offset];
            byte second = span[offset + 1];
            bool fin = (first & 0x80) != 0;
            int opcode = first & 0x0F;
            if ((first & 0x70) != 0)
            {
                throw Protocol($"reserved bits 0x{first & 0x70:x2} set in a frame header (no extension was negotiated)");
            }
            if ((second & 0x80) != 0)
            {
                throw Protocol("the server sent a masked frame (RFC 6455 §5.1: server frames are never masked)");
            }
            bool control = opcode >= 0x8;
            if (opcode is not (0x0 or 0x1 or 0x2 or 0x8 or 0x9 or 0xA))
            {
                throw Protocol($"unknown opcode 0x{opcode:x}");
            }
            int length7 = second & 0x7F;
            if (control && !fin)
            {
                throw Protocol($"fragmented control frame (opcode 0x{opcode:x})");
            }
            if (control && length7 > MaxControlPayload)
            {
                throw Protocol($"control frame (opcode 0x{opcode:x}) longer than {MaxControlPayload} bytes");
            }
            int header = length7 switch { 126 => 4, 127 => 10, _ => 2 };
            if (available < header)
            {
                needed = header;
                return offset;
            }
            ulong length = length7 switch
            {
                126 => BinaryPrimitives.ReadUInt16BigEndian(span.Slice(offset + 2)),
                127 => BinaryPrimitives.ReadUInt64BigEndian(span.Slice(offset + 2)),
                _ => (ulong)length7,
            };
            if (length > long.MaxValue)
            {
                throw Protocol("frame length has its most significant bit set (RFC 6455 §5.2)");
            }
            ulong total = opcode == 0x0 ? (ulong)_assembled + length : length;
            if (total > (ulong)MaxMessageBytes)
            {
                throw new WebSocketProtocolException(WebSocketCloseStatus.MessageTooBig,
                    $"incoming message of {total} bytes exceeds {MaxMessageBytes} bytes");
            }
            if ((ulong)available < (ulong)header + length)
            {
                needed = header + (int)length;
                return offset;
            }
            var payload = buffer.Slice(offset + header, (int)length);
            offset += header + (int)length;
            switch (opcode)
            {
                case 0x1 or 0x2:
                    if (_assembling)
                    {
                        throw Protocol("a new data frame arrived before the fragmented message ended");
                    }
                    if (fin)
                    {
                        Deliver(payload, opcode == 0x1, sink);
                    }
                    else
                    {
                        _assembling = true;
                        _assemblingText = opcode == 0x1;
                        Append(payload.Span);
                    }
                    break;
                case 0x0:
                    if (!_assembling)
                    {
                        throw Protocol("continuation frame without a fragmented message to continue");
                    }
                    Append(payload.Span);
                    if (fin)
                    {
                        bool text = _assemblingText;
                        _assembling = false;
                        int assembled = _assembled;
                        _assembled = 0;
                        Deliver(_assembly.AsMemory(0, assembled), text, sink);
                    }
                    break;
                case 0x8:
                    ReadClose(payload.Span);
                    break;
                case 0x9:
                    sink.OnPing(payload.Span);
                    break;
                default:
                    // 0xA: an unsolicited or answering pong; nothing to do.
                    break;
            }
        }
        needed = 0;
        return offset;
    }

    private static void Deliver(ReadOnlyMemory<byte> payload, bool isText, IWebSocketFrameSink sink)
    {
        // RFC 6455 §8.1: a text message that is not UTF-8 fails the connection (checked at memory speed).
        if (isText && !Utf8.IsValid(payload.Span))
        {
            throw new WebSocketProtocolException(WebSocketCloseStatus.InvalidPayloadData, "text message is not valid UTF-8");
        }
        sink.OnMessage(payload, isText);
    }

    private void Append(ReadOnlySpan<byte> part)
    {
        int length = _assembled + part.Length;
        if (length > _assembly.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(length, Math.Min(MaxMessageBytes, Math.Max(4096, _assembly.Length * 2))));
            _assembly.AsSpan(0, _assembled).CopyTo(bigger);
            ReturnAssembly();
            _assembly = bigger;
        }
        part.CopyTo(_assembly.AsSpan(_assembled));
        _assembled = length;
    }

    private void ReadClose(ReadOnlySpan<byte> payload)
    {
        if (payload.Length == 1)
        {
            throw Protocol("close frame with a 1-byte payload (a status code takes 2)");
        }
        if (payload.Length >= 2)
        {
            int code = BinaryPrimitives.ReadUInt16BigEndian(payload);
            // RFC 6455 §7.4: 1004-1006 and 1015 must never be sent; 1016-2999 are unassigned.
            if (code is < 1000 or 1004 or 1005 or 1006 or (> 1014 and < 3000) or > 4999)
            {
                throw Protocol($"close frame with the invalid status code {code}");
            }
            if (!Utf8.IsValid(payload[2..]))
            {
                throw new WebSocketProtocolException(WebSocketCloseStatus.InvalidPayloadData, "close reason is not valid UTF-8");
            }
            CloseStatus = (WebSocketCloseStatus)code;
            CloseDescription = System.Text.Encoding.UTF8.GetString(payload[2..]);
        }
        CloseReceived = true;
    }

    private static WebSocketProtocolException Protocol(string message) => new(WebSocketCloseStatus.ProtocolError, message);

    private void ReturnAssembly()
    {
        if (_assembly.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_assembly);
        }
        _assembly = [];
    }

    public void Dispose()
    {
        ReturnAssembly();
        _assembled = 0;
        _assembling = false;
    }
}
