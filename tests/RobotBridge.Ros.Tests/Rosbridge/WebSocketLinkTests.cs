using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using RobotBridge.Ros.Client;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Protocol;

namespace RobotBridge.Ros.Tests.Rosbridge;

/// <summary>The client's own WebSocket framing against a hand-driven server on a real socket (plain
/// and TLS): what a misbehaving server sends closes the link with a reason and the client reconnects;
/// pings are answered; client frames are masked; wss:// works with a certificate check.</summary>
public sealed class WebSocketLinkTests
{
    /// <summary>Accepts one connection at a time, completes the upgrade, then lets the test write raw
    /// frames and read the client's frames (unmasked for the test).</summary>
    private sealed class RawServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly X509Certificate2? _certificate;

        public RawServer(X509Certificate2? certificate = null)
        {
            _certificate = certificate;
            _listener.Start();
            int port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            Uri = new Uri($"{(certificate is null ? "ws" : "wss")}://localhost:{port}/");
        }

        public Uri Uri { get; }

        public async Task<Stream> AcceptAsync()
        {
            var tcp = await _listener.AcceptTcpClientAsync().WaitAsync(ServerFixture.Wait);
            Stream stream = tcp.GetStream();
            if (_certificate is not null)
            {
                var ssl = new SslStream(stream);
                await ssl.AuthenticateAsServerAsync(_certificate).WaitAsync(ServerFixture.Wait);
                stream = ssl;
            }
            var request = new StringBuilder();
            var one = new byte[1];
            while (!request.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                Assert.Equal(1, await stream.ReadAsync(one).AsTask().WaitAsync(ServerFixture.Wait));
                request.Append((char)one[0]);
            }
            string key = request.ToString().Split("\r\n").First(l => l.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase))[18..].Trim();
#pragma warning disable CA5350 // RFC 6455 §4.2.2 fixes SHA-1 for Sec-WebSocket-Accept.
            string accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350
            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"));
            return stream;
        }

        /// <summary>The client's next frame: opcode and unmasked payload; fails if it was not masked.</summary>
        public static async Task<(int Opcode, byte[] Payload)> ReadClientFrameAsync(Stream stream)
        {
            var header = await ReadExactlyAsync(stream, 2);
            Assert.True((header[1] & 0x80) != 0, "client frame not masked");
            long length = header[1] & 0x7F;
            if (length == 126)
            {
                length = BinaryPrimitives.ReadUInt16BigEndian(await ReadExactlyAsync(stream, 2));
            }
            else if (length == 127)
            {
                length = (long)BinaryPrimitives.ReadUInt64BigEndian(await ReadExactlyAsync(stream, 8));
            }
            var mask = await ReadExactlyAsync(stream, 4);
            var payload = await ReadExactlyAsync(stream, (int)length);
            for (int i = 0; i < payload.Length; i++)
            {
                payload[i] ^= mask[i & 3];
            }
            return (header[0] & 0x0F, payload);
        }

        private static async Task<byte[]> ReadExactlyAsync(Stream stream, int count)
        {
            var bytes = new byte[count];
            await stream.ReadExactlyAsync(bytes).AsTask().WaitAsync(ServerFixture.Wait);
            return bytes;
        }

        public void Dispose() => _listener.Stop();
    }

    private static byte[] ServerFrame(int opcode, ReadOnlySpan<byte> payload)
    {
        var frame = new List<byte> { (byte)(0x80 | opcode) };
        if (payload.Length < 126)
        {
            frame.Add((byte)payload.Length);
        }
        else
        {
            frame.Add(126);
            frame.AddRange([(byte)(payload.Length >> 8), (byte)payload.Length]);
        }
        return [.. frame, .. payload];
    }

    private static byte[] PublishFrame(double position) => ServerFrame(1, PublishText(position));

    private static byte[] PublishText(double position)
    {
        var js = new JointState();
        js.Name.Add("a");
        js.Position.CopyFrom([position]);
        using var body = Frames.JsonBody(js, RosDialect.Ros1);
        using var frame = Frames.JsonPublish("/joint_states", body.Memory.Span);
        return frame.Memory.ToArray();
    }

    /// <summary>Reads client frames until one with <paramref name="opcode"/> (skipping subscribe and heartbeats).</summary>
    private static async Task<byte[]> NextFrameAsync(Stream stream, int opcode)
    {
        while (true)
        {
            var (op, payload) = await RawServer.ReadClientFrameAsync(stream);
            if (op == opcode)
            {
                return payload;
            }
        }
    }

    [Fact]
    public async Task A_masked_server_frame_closes_the_link_with_1002_naming_it_and_the_client_reconnects()
    {
        using var server = new RawServer();
        await using var client = new RosbridgeClient(new RosbridgeClientOptions(server.Uri));
        var reasons = new List<string>();
        client.StateChanged += (_, e) =>
        {
            lock (reasons)
            {
                reasons.Add(e.Reason ?? "");
            }
        };
        double last = 0;
        using var sub = client.Subscribe<JointState>("/joint_states", onMessage: m => Volatile.Write(ref last, m.Position[0]));
        client.Start();
        await using (var stream = await server.AcceptAsync())
        {
            await stream.WriteAsync(PublishFrame(1.5));
            await ServerFixture.Eventually(() => Volatile.Read(ref last) == 1.5, "the first publish");
            // Masked, as only a client may send: RFC 6455 §5.1 says the client must close.
            await stream.WriteAsync(new byte[] { 0x81, 0x81, 1, 2, 3, 4, (byte)('x' ^ 1) });
            var close = await NextFrameAsync(stream, 0x8);
            Assert.Equal(1002, BinaryPrimitives.ReadUInt16BigEndian(close));
            Assert.Contains("masked", Encoding.UTF8.GetString(close.AsSpan(2)), StringComparison.Ordinal);
        }
        await using var again = await server.AcceptAsync();
        await again.WriteAsync(PublishFrame(2.5));
        await ServerFixture.Eventually(() => Volatile.Read(ref last) == 2.5, "a publish after the reconnect");
        lock (reasons)
        {
            Assert.Contains(reasons, r => r.Contains("closed the link", StringComparison.Ordinal) && r.Contains("masked", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task An_oversized_length_closes_with_1009_before_its_payload_arrives()
    {
        using var server = new RawServer();
        await using var client = new RosbridgeClient(new RosbridgeClientOptions(server.Uri) { MaxMessageBytes = 1 << 20 });
        client.Start();
        await using var stream = await server.AcceptAsync();
        // A 2^40-byte binary frame announced: the client must not wait for (or allocate) it.
        await stream.WriteAsync(new byte[] { 0x82, 127, 0, 0, 1, 0, 0, 0, 0, 0 });
        var close = await NextFrameAsync(stream, 0x8);
        Assert.Equal(1009, BinaryPrimitives.ReadUInt16BigEndian(close));
        Assert.Contains("exceeds 1048576 bytes", Encoding.UTF8.GetString(close.AsSpan(2)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ping_gets_a_masked_pong_with_its_payload_and_a_server_close_is_answered()
    {
        using var server = new RawServer();
        await using var client = new RosbridgeClient(new RosbridgeClientOptions(server.Uri));
        string? lost = null;
        client.StateChanged += (_, e) =>
        {
            if (e.Current == ConnectionState.Lost)
            {
                lost ??= e.Reason;
            }
        };
        client.Start();
        await using var stream = await server.AcceptAsync();
        await stream.WriteAsync(ServerFrame(0x9, "are you there"u8));
        Assert.Equal("are you there", Encoding.UTF8.GetString(await NextFrameAsync(stream, 0xA)));
        await stream.WriteAsync(ServerFrame(0x8, [0x03, 0xE9, .. "going away"u8]));
        Assert.Equal(1001, BinaryPrimitives.ReadUInt16BigEndian(await NextFrameAsync(stream, 0x8)));
        await ServerFixture.Eventually(() => lost is not null, "the link to end");
        Assert.Contains("EndpointUnavailable going away", lost, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fragmented_messages_with_a_ping_between_are_reassembled()
    {
        using var server = new RawServer();
        await using var client = new RosbridgeClient(new RosbridgeClientOptions(server.Uri));
        double last = 0;
        using var sub = client.Subscribe<JointState>("/joint_states", onMessage: m => Volatile.Write(ref last, m.Position[0]));
        client.Start();
        await using var stream = await server.AcceptAsync();
        var payload = PublishText(3.25);
        int cut = 100;
        Assert.InRange(payload.Length - cut, 1, 125);
        byte[] first = [0x01, (byte)cut, .. payload.AsSpan(0, cut)];
        byte[] rest = [0x80, (byte)(payload.Length - cut), .. payload.AsSpan(cut)];
        byte[] wire = [.. first, .. ServerFrame(0x9, "p"u8), .. rest];
        await stream.WriteAsync(wire);
        await ServerFixture.Eventually(() => Volatile.Read(ref last) == 3.25, "the reassembled publish");
        Assert.Equal("p", Encoding.UTF8.GetString(await NextFrameAsync(stream, 0xA)));
    }

    /// <summary>A frame with a 64-bit length (as rosbridge sends a camera image).</summary>
    private static byte[] LargeServerFrame(int opcode, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[10 + payload.Length];
        frame[0] = (byte)(0x80 | opcode);
        frame[1] = 127;
        BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)payload.Length);
        payload.CopyTo(frame.AsSpan(10));
        return frame;
    }

    private static (byte[] Frame, byte[] Pixels) CborImageFrame(string topic, int seed)
    {
        using var image = new Image { Width = 640, Height = 480, Encoding = "rgb8", Step = 640 * 3 };
        new Random(seed).NextBytes(image.Data.Resize(640 * 480 * 3));
        using var publish = Frames.CborPublish(topic, Frames.CborBody(image, RosDialect.Ros1));
        return (LargeServerFrame(2, publish.Memory.Span), image.Data.ToArray());
    }

    [Fact]
    public async Task Images_larger_than_the_receive_buffer_arrive_intact_whether_their_frame_array_is_taken_over_or_copied()
    {
        // Frames over the 256 KiB receive buffer are read into arrays of their own; a sole subscriber's
        // image takes that array over. Each must keep its own pixels: a callback sees the frame it was
        // called for, a mailbox keeps earlier images intact while later frames arrive, and a topic with
        // two subscribers (whose frames are copied) gives both the same pixels.
        using var server = new RawServer();
        await using var client = new RosbridgeClient(new RosbridgeClientOptions(server.Uri));
        var cbor = new SubscribeOptions { Compression = Compression.Cbor };
        var seen = new List<(string Topic, byte[] Hash)>();
        void Record(string topic, Image m)
        {
            Assert.Equal(640 * 480 * 3, m.Data.Count);
            lock (seen)
            {
                seen.Add((topic, SHA256.HashData(m.Data.Span)));
            }
        }
        using var single = client.Subscribe<Image>("/single", cbor, m => Record("/single", m));
        using var mailbox = client.Subscribe<Image>("/mailbox", cbor with { MailboxCapacity = 4 });
        using var shared1 = client.Subscribe<Image>("/shared", cbor, m => Record("/shared 1", m));
        using var shared2 = client.Subscribe<Image>("/shared", cbor, m => Record("/shared 2", m));
        double last = 0;
        using var states = client.Subscribe<JointState>("/joint_states", onMessage: m => Volatile.Write(ref last, m.Position[0]));
        client.Start();
        await using var stream = await server.AcceptAsync();
        var expected = new List<(string Topic, byte[] Hash)>();
        var mailboxPixels = new List<byte[]>();
        var wire = new List<byte>();
        for (int i = 0; i < 4; i++)
        {
            foreach (string topic in new[] { "/single", "/mailbox", "/shared" })
            {
                var (frame, pixels) = CborImageFrame(topic, seed: 10 * i + topic.Length);
                wire.AddRange(frame);
                if (topic == "/mailbox")
                {
                    mailboxPixels.Add(pixels);
                }
                else if (topic == "/shared")
                {
                    expected.Add(("/shared 1", SHA256.HashData(pixels)));
                    expected.Add(("/shared 2", SHA256.HashData(pixels)));
                }
                else
                {
                    expected.Add((topic, SHA256.HashData(pixels)));
                }
            }
            // A small frame between the large ones goes through the receive buffer as usual.
            wire.AddRange(PublishFrame(i + 0.5));
        }
        await stream.WriteAsync(wire.ToArray());
        await ServerFixture.Eventually(() => Volatile.Read(ref last) == 3.5, "the last joint state, after the last image");
        lock (seen)
        {
            Assert.Equal(expected.Select(e => (e.Topic, Convert.ToHexString(e.Hash))), seen.Select(e => (e.Topic, Convert.ToHexString(e.Hash))));
        }
        foreach (var pixels in mailboxPixels)
        {
            Assert.True(mailbox.TryTake(out var image), "an image in the mailbox");
            Assert.True(pixels.AsSpan().SequenceEqual(image.Data.Span), "a mailbox image kept its own pixels");
            mailbox.Recycle(image);
        }
    }

    [Fact]
    public async Task Wss_delivers_with_a_trusted_certificate_and_refuses_an_untrusted_one()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        using var ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        // SslStream on Linux needs the private key in an exportable, loadable form.
        using var certificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pfx), null);
        using var server = new RawServer(certificate);

        var trusting = new RosbridgeClientOptions(server.Uri)
        {
            CertificateValidation = (_, cert, _, _) => cert is not null && cert.GetCertHashString() == certificate.GetCertHashString(),
        };
        await using (var client = new RosbridgeClient(trusting))
        {
            double last = 0;
            using var sub = client.Subscribe<JointState>("/joint_states", onMessage: m => Volatile.Write(ref last, m.Position[0]));
            client.Start();
            await using var stream = await server.AcceptAsync();
            var subscribe = Encoding.UTF8.GetString(await NextFrameAsync(stream, 0x1));
            Assert.Contains("\"op\":\"subscribe\"", subscribe, StringComparison.Ordinal);
            await stream.WriteAsync(PublishFrame(4.5));
            await ServerFixture.Eventually(() => Volatile.Read(ref last) == 4.5, "a publish over TLS");
        }

        await using var untrusting = new RosbridgeClient(new RosbridgeClientOptions(server.Uri));
        string? failure = null;
        untrusting.StateChanged += (_, e) => failure ??= e.Current == ConnectionState.Lost ? e.Reason : null;
        untrusting.Start();
        var accept = server.AcceptAsync();
        await ServerFixture.Eventually(() => failure is not null, "the untrusted connect to fail");
        Assert.Contains("connect to wss://localhost", failure, StringComparison.Ordinal);
        Assert.NotEqual(ConnectionState.Connected, untrusting.State);
        await Assert.ThrowsAnyAsync<Exception>(() => accept);
    }
}
