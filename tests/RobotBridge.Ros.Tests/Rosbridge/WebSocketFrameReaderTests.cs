using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text;
using RobotBridge.Ros.Protocol;

namespace RobotBridge.Ros.Tests.Rosbridge;

/// <summary>The client's own WebSocket frame parser: every message of a valid stream comes out whole,
/// however the stream is cut into reads; every RFC 6455 violation and every mutation of a valid stream
/// either parses or raises a <see cref="WebSocketProtocolException"/> with a reason, never anything else,
/// and never waits for bytes it does not need (no hang).</summary>
public class WebSocketFrameReaderTests
{
    private sealed class Recorder : IWebSocketFrameSink
    {
        public List<(byte[] Payload, bool IsText)> Messages { get; } = [];
        public List<byte[]> Pings { get; } = [];

        public void OnMessage(ReadOnlyMemory<byte> payload, bool isText) => Messages.Add((payload.ToArray(), isText));

        public void OnPing(ReadOnlySpan<byte> payload) => Pings.Add(payload.ToArray());
    }

    /// <summary>A server frame: unmasked unless told, with the header bits given.</summary>
    private static byte[] Frame(int opcode, ReadOnlySpan<byte> payload, bool fin = true, int rsv = 0, bool masked = false, int lengthForm = 0)
    {
        var header = new List<byte> { (byte)((fin ? 0x80 : 0) | rsv << 4 | opcode) };
        byte mask = (byte)(masked ? 0x80 : 0);
        int form = lengthForm != 0 ? lengthForm : payload.Length < 126 ? 7 : payload.Length <= ushort.MaxValue ? 16 : 64;
        if (form == 7)
        {
            header.Add((byte)(mask | payload.Length));
        }
        else if (form == 16)
        {
            header.Add((byte)(mask | 126));
            header.AddRange([(byte)(payload.Length >> 8), (byte)payload.Length]);
        }
        else
        {
            header.Add((byte)(mask | 127));
            var length = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(length, (ulong)payload.Length);
            header.AddRange(length);
        }
        if (masked)
        {
            header.AddRange([1, 2, 3, 4]);
        }
        return [.. header, .. payload];
    }

    private static byte[] Text(string s, bool fin = true, int opcode = 1) => Frame(opcode, Encoding.UTF8.GetBytes(s), fin);

    /// <summary>Feeds <paramref name="stream"/> as the client's receive loop does, in reads of the given
    /// sizes (cycled): parse what is complete, keep the rest, read more only when the reader asks for it.</summary>
    private static Recorder Feed(byte[] stream, int[] reads, WebSocketFrameReader reader, Recorder? into = null)
    {
        var sink = into ?? new Recorder();
        var buffer = new List<byte>();
        int fed = 0;
        int r = 0;
        while (true)
        {
            int consumed = reader.Read(buffer.ToArray(), sink, out int needed);
            buffer.RemoveRange(0, consumed);
            if (reader.CloseReceived)
            {
                return sink;
            }
            // The contract that keeps the loop from spinning: an incomplete frame needs more than is there.
            Assert.True(needed > buffer.Count, $"needed {needed} with {buffer.Count} buffered");
            Assert.True(needed <= reader.MaxMessageBytes + WebSocketFrameReader.MaxHeaderBytes, $"needed {needed}");
            if (fed == stream.Length)
            {
                return sink;
            }
            int take = Math.Min(reads[r++ % reads.Length], stream.Length - fed);
            buffer.AddRange(stream.AsSpan(fed, take).ToArray());
            fed += take;
        }
    }

    private static byte[] ValidStream()
    {
        var big = new byte[70_000];
        new Random(5).NextBytes(big);
        return
        [
            .. Text("{\"op\":\"publish\"}"),
            .. Frame(2, big),
            .. Frame(9, "hi"u8),
            .. Text("frag", fin: false),
            .. Frame(9, "mid"u8),
            .. Frame(0xA, ""u8),
            .. Frame(0, "men"u8, fin: false),
            .. Frame(0, [.. "ted "u8, 0xE2, 0x82], fin: false),
            .. Frame(0, [0xAC]),
            .. Frame(2, new byte[300], lengthForm: 64),
            .. Text(""),
            .. Frame(8, [0x03, 0xE8, (byte)'b', (byte)'y', (byte)'e']),
        ];
    }

    [Theory]
    [InlineData(new[] { 1 })]
    [InlineData(new[] { 2, 3, 7 })]
    [InlineData(new[] { 4096 })]
    [InlineData(new[] { 1 << 20 })]
    public void A_valid_stream_gives_every_message_however_it_is_cut(int[] reads)
    {
        using var reader = new WebSocketFrameReader(1 << 20);
        var sink = Feed(ValidStream(), reads, reader);
        Assert.Equal(["{\"op\":\"publish\"}", "fragmented €", ""], sink.Messages.Where(m => m.IsText).Select(m => Encoding.UTF8.GetString(m.Payload)));
        Assert.Equal([70_000, 300], sink.Messages.Where(m => !m.IsText).Select(m => m.Payload.Length));
        Assert.Equal(["hi", "mid"], sink.Pings.Select(p => Encoding.UTF8.GetString(p)));
        Assert.True(reader.CloseReceived);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, reader.CloseStatus);
        Assert.Equal("bye", reader.CloseDescription);
    }

    public static TheoryData<string, byte[], WebSocketCloseStatus, string> Violations => new()
    {
        { "reserved bit", Frame(1, "x"u8, rsv: 4), WebSocketCloseStatus.ProtocolError, "reserved bits" },
        { "masked server frame", Frame(1, "x"u8, masked: true), WebSocketCloseStatus.ProtocolError, "masked" },
        { "opcode 3", Frame(3, "x"u8), WebSocketCloseStatus.ProtocolError, "unknown opcode 0x3" },
        { "opcode 0xB", Frame(0xB, "x"u8), WebSocketCloseStatus.ProtocolError, "unknown opcode 0xb" },
        { "fragmented ping", Frame(9, "x"u8, fin: false), WebSocketCloseStatus.ProtocolError, "fragmented control frame" },
        { "long ping", Frame(9, new byte[126]), WebSocketCloseStatus.ProtocolError, "longer than 125" },
        { "length MSB", [0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1], WebSocketCloseStatus.ProtocolError, "most significant bit" },
        { "oversized length, header only", [0x82, 127, 0, 0, 0, 1, 0, 0, 0, 0], WebSocketCloseStatus.MessageTooBig, "exceeds 1000 bytes" },
        { "oversized fragments", [.. Frame(2, new byte[600], fin: false), .. Frame(0, new byte[600])], WebSocketCloseStatus.MessageTooBig, "1200 bytes exceeds" },
        { "continuation first", Frame(0, "x"u8), WebSocketCloseStatus.ProtocolError, "continuation frame without" },
        { "new message mid-fragment", [.. Text("a", fin: false), .. Text("b")], WebSocketCloseStatus.ProtocolError, "before the fragmented message ended" },
        { "invalid UTF-8 text", Frame(1, [0x7B, 0xC3, 0x28, 0x7D]), WebSocketCloseStatus.InvalidPayloadData, "not valid UTF-8" },
        { "UTF-8 split over fragments, invalid whole", [.. Frame(1, [0xE2, 0x82], fin: false), .. Frame(0, [0x41])], WebSocketCloseStatus.InvalidPayloadData, "not valid UTF-8" },
        { "1-byte close", Frame(8, [3]), WebSocketCloseStatus.ProtocolError, "1-byte payload" },
        { "close code 1005", Frame(8, [0x03, 0xED]), WebSocketCloseStatus.ProtocolError, "invalid status code 1005" },
        { "close code 999", Frame(8, [0x03, 0xE7]), WebSocketCloseStatus.ProtocolError, "invalid status code 999" },
        { "close reason not UTF-8", Frame(8, [0x03, 0xE8, 0xFF]), WebSocketCloseStatus.InvalidPayloadData, "close reason" },
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public void A_violation_is_refused_with_its_status_and_a_reason_naming_it(string what, byte[] stream, WebSocketCloseStatus status, string reason)
    {
        using var reader = new WebSocketFrameReader(1000);
        var sink = new Recorder();
        var e = Assert.Throws<WebSocketProtocolException>(() => Feed([.. Text("before"), .. stream], [1 << 20], reader, sink));
        Assert.True(e.Status == status, $"{what}: {e.Status} {e.Message}");
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        // Nothing of the offending frame reached the sink; what came before it did.
        Assert.Equal(["before"], sink.Messages.Select(m => Encoding.UTF8.GetString(m.Payload)));
    }

    [Fact]
    public void A_truncated_frame_asks_for_exactly_its_missing_bytes_and_delivers_nothing()
    {
        var frame = Frame(2, new byte[5000]);
        for (int n = 0; n < frame.Length; n++)
        {
            using var reader = new WebSocketFrameReader(1 << 20);
            var sink = new Recorder();
            Assert.Equal(0, reader.Read(frame.AsMemory(0, n), sink, out int needed));
            Assert.Equal(n < 2 ? 2 : n < 4 ? 4 : frame.Length, needed);
            Assert.Empty(sink.Messages);
        }
    }

    [Fact]
    public void Mutated_streams_parse_or_fail_with_a_protocol_reason_and_never_hang()
    {
        var valid = ValidStream();
        var random = new Random(14);
        int refused = 0;
        for (int round = 0; round < 3000; round++)
        {
            var stream = (byte[])valid.Clone();
            int edits = 1 + random.Next(4);
            for (int e = 0; e < edits; e++)
            {
                int at = random.Next(stream.Length);
                switch (random.Next(3))
                {
                    case 0:
                        stream[at] ^= (byte)(1 << random.Next(8));
                        break;
                    case 1:
                        stream[at] = (byte)random.Next(256);
                        break;
                    default:
                        stream = stream[..at];
                        break;
                }
                if (stream.Length == 0)
                {
                    break;
                }
            }
            // Header bytes are where the interesting faults are: mutate the first frames' often.
            if (random.Next(2) == 0 && stream.Length > 2)
            {
                stream[random.Next(2)] = (byte)random.Next(256);
            }
            using var reader = new WebSocketFrameReader(100_000);
            try
            {
                Feed(stream, [1 + random.Next(9000)], reader);
            }
            catch (WebSocketProtocolException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
                refused++;
            }
        }
        Assert.True(refused > 300, $"only {refused} of 3000 mutations were refused: the mutations do not reach the checks");
    }
}
