using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using RobotBridge.Ros.Client;
using RobotBridge.Ros.Fetch;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Protocol;
using RobotBridge.Ros.Server;
using Xunit.Abstractions;

namespace RobotBridge.Ros.Tests.Rosbridge;

/// <summary>
/// Issue 15 §4: no client exhausts <c>serve</c>. A load test (15 clients that subscribe to joint states and
/// the camera and never read, one normal client, a fragment bomb) reports peak RSS and the normal client's
/// joint-state rate and worst gap; the asserted bounds are generous (the machine is shared), the figures are
/// in the test output.
/// </summary>
[Collection(ServeLoadCollection.Name)]
public sealed class ServeLoadTests(ITestOutputHelper output)
{
    [Fact]
    public void Fragments_count_against_the_message_cap_and_expire()
    {
        var time = new ManualTime();
        var assembler = new FragmentAssembler(time) { MaxPendingBytes = 1000, Timeout = TimeSpan.FromSeconds(10) };
        string part = new('x', 330);
        Assert.Null(assembler.Add(Fragment("a", 0, 5, part)));
        Assert.Null(assembler.Add(Fragment("a", 1, 5, part)));
        // The third part would put 990 characters plus 40 bytes of slots over the 1000-byte cap: the whole message goes.
        var e = Assert.Throws<RosbridgeFormatException>(() => assembler.Add(Fragment("a", 2, 5, part)));
        Assert.Contains("exceeds the 1000 bytes", e.Message);
        Assert.Equal(0, assembler.PendingCount);
        Assert.Equal(0, assembler.PendingBytes);

        Assert.Null(assembler.Add(Fragment("b", 0, 2, part)));
        Assert.True(assembler.PendingBytes > 330);
        time.Advance(TimeSpan.FromSeconds(11));
        assembler.ExpireStale();
        Assert.Equal(0, assembler.PendingCount);
        Assert.Equal(0, assembler.PendingBytes);

        // A huge total reserves slots: it counts too.
        Assert.Throws<RosbridgeFormatException>(() => assembler.Add(Fragment("c", 0, 1_000_000, "y")));
    }

    [Fact]
    public async Task A_client_that_never_reads_is_disconnected_with_a_reason_and_costs_a_bounded_queue()
    {
        await using var fx = new ServerFixture(new RosbridgeServerOptions { SendStallTimeout = TimeSpan.FromSeconds(1) });
        var camera = fx.Server.AdvertiseLocal<Image>("/camera");
        var reasons = new System.Collections.Concurrent.ConcurrentQueue<string>();
        fx.Server.ClientDisconnected += (s, _) => reasons.Enqueue(s.DisconnectReason ?? "none");
        using var stalled = await RawClient.ConnectAsync(fx.Server.Uri, ["""{"op":"subscribe","topic":"/camera","type":"sensor_msgs/Image"}"""]);
        var image = new Image { Width = 640, Height = 480, Encoding = "rgb8", Step = 1920 };
        image.Data.Resize(640 * 480 * 3);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (reasons.IsEmpty && DateTime.UtcNow < deadline)
        {
            camera.Publish(image);
            await Task.Delay(30);
        }
        Assert.False(reasons.IsEmpty, "the client that never reads was never disconnected");
        Assert.Contains("slow client", reasons.Single());
    }

    [Fact]
    public async Task Fifteen_clients_that_never_read_and_a_fragment_bomb_leave_a_normal_client_its_joint_states()
    {
        // The robot side is synthetic (what FetchRobotNode publishes, at the Fetch's rates and sizes) so the
        // figures measure the server, not the twin's renderer on a shared machine.
        await using var fx = new ServerFixture();
        using var robot = new SyntheticRobot(fx.Server);
        long rssBefore = Rss();
        var peak = new PeakRss();
        var reasons = new System.Collections.Concurrent.ConcurrentQueue<string>();
        fx.Server.ClientDisconnected += (s, _) => reasons.Enqueue(s.DisconnectReason ?? "left");
        string[] subscribeAll =
        [
            $$"""{"op":"subscribe","topic":"{{FetchTopics.JointStates}}","type":"sensor_msgs/JointState"}""",
            $$"""{"op":"subscribe","topic":"{{FetchTopics.RgbImage}}","type":"sensor_msgs/Image"}""",
            $$"""{"op":"subscribe","topic":"{{FetchTopics.DepthImage}}","type":"sensor_msgs/Image"}""",
        ];
        var stalled = new List<RawClient>();
        for (int i = 0; i < 15; i++)
        {
            stalled.Add(await RawClient.ConnectAsync(fx.Server.Uri, subscribeAll));
        }
        var normal = await fx.ConnectAsync();
        var gaps = new GapMeter();
        using var states = normal.Subscribe<JointState>(FetchTopics.JointStates, onMessage: _ => gaps.Tick());

        // The bomb: 30 incomplete 9 MiB messages, then a 144 MiB message in 16 fragments of 9 MiB.
        using var bomber = await RawClient.ConnectAsync(fx.Server.Uri, []);
        int refusals = 0;
        fx.Server.StatusSent += (_, text) =>
        {
            if (text.Contains("fragment"))
            {
                Interlocked.Increment(ref refusals);
            }
        };
        byte[] nine = new byte[9 * 1024 * 1024 - 200];
        nine.AsSpan().Fill((byte)'z');
        var bomb = Task.Run(async () =>
        {
            for (int i = 0; i < 30; i++)
            {
                await bomber.SendAsync(Encoding.UTF8.GetBytes($"{{\"op\":\"fragment\",\"id\":\"half{i}\",\"num\":0,\"total\":2,\"data\":\""), nine, "\"}"u8.ToArray());
            }
            for (int i = 0; i < 16; i++)
            {
                await bomber.SendAsync(Encoding.UTF8.GetBytes($"{{\"op\":\"fragment\",\"id\":\"huge\",\"num\":{i},\"total\":16,\"data\":\""), nine, "\"}"u8.ToArray());
            }
        });

        await Task.Delay(TimeSpan.FromSeconds(2)); // warm-up: the stalled clients' sockets fill
        gaps.Reset();
        var measure = Stopwatch.StartNew();
        while (measure.Elapsed < TimeSpan.FromSeconds(10))
        {
            peak.Sample();
            await Task.Delay(50);
        }
        var (count, worstGap) = gaps.Read();
        double rate = count / measure.Elapsed.TotalSeconds;
        await bomb.WaitAsync(TimeSpan.FromSeconds(60));
        peak.Sample();
        output.WriteLine("load: 15 clients subscribed to joint states (200/s) + rgb + depth (15 Hz, 0.9 + 0.6 MB) that never read, " +
                         "1 normal client, fragment bomb (30 x 9 MiB incomplete, then 16 x 9 MiB)");
        output.WriteLine($"RSS before {rssBefore / 1048576.0:0} MiB, peak {peak.Peak / 1048576.0:0} MiB (growth {(peak.Peak - rssBefore) / 1048576.0:0} MiB)");
        output.WriteLine($"normal client: {rate:0.0} joint states/s over {measure.Elapsed.TotalSeconds:0.0} s, worst gap {worstGap.TotalMilliseconds:0} ms");
        output.WriteLine($"disconnected: {reasons.Count} ({string.Join("; ", reasons.Distinct().Take(3))}); fragment refusals {refusals}; " +
                         $"load {File.ReadAllText("/proc/loadavg").Trim()}");
        foreach (var client in stalled)
        {
            client.Dispose();
        }

        // Generous bounds (read the figures above): memory stays bounded, the normal client is served, the bomb refused.
        Assert.True(peak.Peak - rssBefore < 1024L * 1024 * 1024, $"RSS grew by {(peak.Peak - rssBefore) / 1048576.0:0} MiB");
        Assert.True(rate > 80, $"the normal client got {rate:0.0} joint states/s");
        Assert.True(refusals > 0, "the fragment bomb was never refused");
        Assert.True(reasons.Count(r => r.Contains("slow client")) >= 15, $"stalled clients disconnected: {reasons.Count}");
    }

    /// <summary>Publishes what the Fetch node does: body and gripper joint states at 100 Hz each, rgb and depth at 15 Hz.</summary>
    private sealed class SyntheticRobot : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;

        public SyntheticRobot(RosbridgeServer server)
        {
            var joints = server.AdvertiseLocal<JointState>(FetchTopics.JointStates);
            var rgb = server.AdvertiseLocal<Image>(FetchTopics.RgbImage);
            var depth = server.AdvertiseLocal<Image>(FetchTopics.DepthImage);
            var body = new JointState();
            body.Name.AddRange(FetchTopics.BodyJoints);
            body.Position.Resize(FetchTopics.BodyJoints.Count);
            body.Velocity.Resize(FetchTopics.BodyJoints.Count);
            body.Effort.Resize(FetchTopics.BodyJoints.Count);
            var fingers = new JointState();
            fingers.Name.AddRange(FetchTopics.GripperJoints);
            fingers.Position.Resize(2);
            var image = new Image { Width = 640, Height = 480, Encoding = "rgb8", Step = 1920 };
            image.Data.Resize(640 * 480 * 3);
            var depthImage = new Image { Width = 640, Height = 480, Encoding = "16UC1", Step = 1280 };
            depthImage.Data.Resize(640 * 480 * 2);
            _thread = new Thread(() =>
            {
                var clock = Stopwatch.StartNew();
                long tick = 0;
                while (!_stop.IsCancellationRequested)
                {
                    tick++;
                    joints.Publish(body);
                    joints.Publish(fingers);
                    if (tick % 7 == 0)
                    {
                        rgb.Publish(image);
                        depth.Publish(depthImage);
                    }
                    var wait = TimeSpan.FromMilliseconds(10 * tick) - clock.Elapsed;
                    if (wait > TimeSpan.Zero)
                    {
                        _stop.Token.WaitHandle.WaitOne(wait);
                    }
                }
            })
            { IsBackground = true, Name = "SyntheticRobot" };
            _thread.Start();
        }

        public void Dispose()
        {
            _stop.Cancel();
            _thread.Join();
        }
    }

    private static IncomingMessage Fragment(string id, int num, int total, string data) =>
        IncomingMessage.ParseJson(Encoding.UTF8.GetBytes($$"""{"op":"fragment","id":"{{id}}","num":{{num}},"total":{{total}},"data":"{{data}}"}"""));

    private static long Rss()
    {
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        return self.WorkingSet64;
    }

    private sealed class PeakRss
    {
        public long Peak { get; private set; }

        public void Sample() => Peak = Math.Max(Peak, Rss());
    }

    private sealed class GapMeter
    {
        private readonly object _gate = new();
        private long _last;
        private long _count;
        private TimeSpan _worst;

        public void Tick()
        {
            lock (_gate)
            {
                long now = Stopwatch.GetTimestamp();
                if (_last != 0)
                {
                    var gap = Stopwatch.GetElapsedTime(_last, now);
                    _worst = gap > _worst ? gap : _worst;
                }
                _last = now;
                _count++;
            }
        }

        public void Reset()
        {
            lock (_gate)
            {
                (_count, _worst) = (0, TimeSpan.Zero);
            }
        }

        public (long Count, TimeSpan Worst) Read()
        {
            lock (_gate)
            {
                return (_count, _worst);
            }
        }
    }

    private sealed class ManualTime : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }

    /// <summary>A WebSocket client written by hand so it can do what no library client does: never read.</summary>
    private sealed class RawClient : IDisposable
    {
        private readonly TcpClient _tcp;
        private readonly NetworkStream _stream;

        private RawClient(TcpClient tcp)
        {
            _tcp = tcp;
            _stream = tcp.GetStream();
        }

        public static async Task<RawClient> ConnectAsync(Uri uri, IEnumerable<string> frames)
        {
            var tcp = new TcpClient { ReceiveBufferSize = 4096 };
            await tcp.ConnectAsync(uri.Host, uri.Port);
            var client = new RawClient(tcp);
            string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            byte[] request = Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {uri.Host}:{uri.Port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                                                     $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n");
            await client._stream.WriteAsync(request);
            // Read the 101 response up to its blank line, byte by byte so nothing after it is consumed.
            var header = new StringBuilder();
            var one = new byte[1];
            while (!header.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                if (await client._stream.ReadAsync(one) == 0)
                {
                    throw new IOException("server closed during the handshake");
                }
                header.Append((char)one[0]);
            }
            Assert.StartsWith("HTTP/1.1 101", header.ToString());
            foreach (string frame in frames)
            {
                await client.SendAsync(frame);
            }
            return client;
        }

        public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

        /// <summary>One text frame made of these parts, masked with the all-zero key (legal, and the parts need no copy).</summary>
        public async Task SendAsync(params byte[][] parts)
        {
            long length = parts.Sum(p => (long)p.Length);
            var head = new List<byte> { 0x81 };
            if (length < 126)
            {
                head.Add((byte)(0x80 | length));
            }
            else if (length <= ushort.MaxValue)
            {
                head.Add(0x80 | 126);
                var len = new byte[2];
                BinaryPrimitives.WriteUInt16BigEndian(len, (ushort)length);
                head.AddRange(len);
            }
            else
            {
                head.Add(0x80 | 127);
                var len = new byte[8];
                BinaryPrimitives.WriteUInt64BigEndian(len, (ulong)length);
                head.AddRange(len);
            }
            head.AddRange(new byte[4]);
            await _stream.WriteAsync(head.ToArray());
            foreach (var part in parts)
            {
                await _stream.WriteAsync(part);
            }
        }

        public void Dispose()
        {
            _stream.Dispose();
            _tcp.Dispose();
        }
    }
}

/// <summary>The load test runs alone: other tests in parallel would measure the machine, not the server.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ServeLoadCollection
{
    public const string Name = "serve load";
}
