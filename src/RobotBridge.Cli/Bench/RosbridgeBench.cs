using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using RobotBridge.Robots;
using RobotBridge.Ros.Client;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Protocol;
using RobotBridge.Ros.Serialization;
using RobotBridge.Ros.Server;

namespace RobotBridge.Cli.Bench;

/// <summary>
/// rosbridge client throughput and latency over real loopback WebSockets, one run: JointState
/// messages/s and 640x480 rgb8 frames/s received and decoded by our client, JSON vs CBOR, and by
/// roslibjs on the same frames; command latency from our client's publish to the server's handler.
/// The sender (<see cref="FrameReplayServer"/>) replays one pre-encoded frame as fast as the receiver
/// reads, so the figure is the receiver's throughput: on the robot, rosbridge encodes on the robot's
/// computer and only the client runs on the laptop. (Until 2026-12-07 the rows ran against a local
/// RosbridgeServer re-encoding every message on the same two cores, which capped both receivers at
/// the server's rate.)
/// </summary>
internal static class RosbridgeBench
{
    /// <summary>Both receivers start counting this long after their first message, so neither a JIT's
    /// tiering (ours) nor V8's is measured; node's JSON.parse is native from the start.</summary>
    private const double WarmupSeconds = 1.5;

    public static int Run(TextWriter output, double seconds, string? peerDirectory)
    {
        output.WriteLine($"rosbridge client throughput, {seconds} s per row, loopback, {Environment.ProcessorCount} cores; " +
                         "sender = the publish frame RosbridgeServer encodes (ROS 1 dialect), encoded once and replayed as fast as the receiver reads");
        output.WriteLine("| receiver | message | encoding | messages/s | MB/s on the wire | CPU µs per message |");
        output.WriteLine("| --- | --- | --- | --- | --- | --- |");
        var jointState = FetchJointState();
        using var image = Rgb640x480();
        string peerName = "roslibjs 2.1.0 (node " + NodeVersion() + ")";
        foreach (var compression in new[] { Compression.None, Compression.Cbor })
        {
            output.WriteLine(Row("RobotBridge RosbridgeClient", "JointState (14 joints)", compression,
                Measure(jointState, "/joint_states", seconds, compression, null)));
            if (peerDirectory is not null)
            {
                output.WriteLine(Row(peerName, "JointState (14 joints)", compression,
                    Measure(jointState, "/joint_states", seconds, compression, peerDirectory)));
            }
        }
        foreach (var compression in new[] { Compression.None, Compression.Cbor })
        {
            output.WriteLine(Row("RobotBridge RosbridgeClient", "Image 640x480 rgb8", compression,
                Measure(image, "/head_camera/rgb/image_raw", seconds, compression, null)));
            if (peerDirectory is not null)
            {
                output.WriteLine(Row(peerName, "Image 640x480 rgb8", compression,
                    Measure(image, "/head_camera/rgb/image_raw", seconds, compression, peerDirectory)));
            }
        }
        // The ceiling any receiver can reach on this machine now: the sender's rate into a reader that
        // only counts bytes (its own process, same warm-up and duration).
        foreach (var compression in new[] { Compression.None, Compression.Cbor })
        {
            output.WriteLine(Row("sender alone (a socket reader that discards the bytes)", "JointState (14 joints)", compression,
                Measure(jointState, "/joint_states", seconds, compression, null, drain: true)));
            output.WriteLine(Row("sender alone (a socket reader that discards the bytes)", "Image 640x480 rgb8", compression,
                Measure(image, "/head_camera/rgb/image_raw", seconds, compression, null, drain: true)));
        }
        foreach (var compression in new[] { Compression.None, Compression.Cbor })
        {
            output.WriteLine(Row("decoder only, no network (parse frame + decode msg)", "JointState (14 joints)", compression, DecodeOnly(jointState, compression, seconds)));
            output.WriteLine(Row("decoder only, no network (parse frame + decode msg)", "Image 640x480 rgb8", compression, DecodeOnly(image, compression, seconds)));
        }
        if (peerDirectory is null)
        {
            output.WriteLine("(roslibjs rows skipped: tests/RobotBridge.Ros.Tests/Peer/node_modules not found; run bash .ci/setup)");
        }
        Latency(output);
        return 0;
    }

    private static string Row(string receiver, string message, Compression compression, (double PerSecond, double MegabytesPerSecond, double CpuMicros) r) =>
        string.Create(CultureInfo.InvariantCulture, $"| {receiver} | {message} | {(compression == Compression.None ? "JSON" : "CBOR")} | {r.PerSecond:F0} | {r.MegabytesPerSecond:F1} | {r.CpuMicros:F2} |");

    private static JointState FetchJointState()
    {
        var js = new JointState();
        js.Header.FrameId = "";
        js.Name.AddRange(FetchJoints.All);
        var random = new Random(1);
        js.Position.Resize(FetchJoints.Count);
        js.Velocity.Resize(FetchJoints.Count);
        js.Effort.Resize(FetchJoints.Count);
        for (int i = 0; i < FetchJoints.Count; i++)
        {
            js.Position[i] = random.NextDouble() - 0.5;
            js.Velocity[i] = random.NextDouble() * 0.1;
            js.Effort[i] = random.NextDouble() * 10;
        }
        return js;
    }

    private static Image Rgb640x480()
    {
        var image = new Image { Width = 640, Height = 480, Encoding = "rgb8", Step = 640 * 3 };
        new Random(2).NextBytes(image.Data.Resize(640 * 480 * 3));
        return image;
    }

    /// <param name="peerDirectory">Null: measure our client; otherwise run roslibjs from there.</param>
    private static (double, double, double) Measure<T>(T message, string topic, double seconds, Compression compression, string? peerDirectory, bool drain = false)
        where T : IRosMessage, new()
    {
        // The exact frame RosbridgeServer sends for a publish, encoded once and replayed.
        using var frame = PublishFrame(message, topic, compression);
        using var server = new FrameReplayServer(frame.Memory.Span, isText: compression == Compression.None);
        long size = BodySize(message, compression);
        var options = new { url = server.Uri.ToString(), topic, type = message.RosType, compression = compression.ToWire(), seconds, warmupSeconds = WarmupSeconds, timeoutSeconds = seconds + WarmupSeconds + 20, drainFrameBytes = drain ? server.FrameBytes : 0 };
        // Each receiver runs in its own process, so neither shares the sender's scheduler or GC.
        var result = peerDirectory is null ? RunSelf(options, seconds + WarmupSeconds + 30) : RunPeer(peerDirectory, options, seconds + WarmupSeconds + 30);
        double perSecond = result.GetProperty("perSecond").GetDouble();
        return (perSecond, perSecond * size / 1e6, result.GetProperty("cpuMicrosPerMessage").GetDouble());
    }

    private static PooledFrame PublishFrame(IRosMessage message, string topic, Compression compression)
    {
        if (compression == Compression.None)
        {
            using var body = Frames.JsonBody(message, RosDialect.Ros1);
            return Frames.JsonPublish(topic, body.Memory.Span);
        }
        return Frames.CborPublish(topic, Frames.CborBody(message, RosDialect.Ros1));
    }

    /// <summary>The client's decode path alone, as its receive loop runs it: scan the publish frame's
    /// envelope (<see cref="PublishEnvelope"/>) and decode its msg into a reused instance.</summary>
    private static (double, double, double) DecodeOnly<T>(T message, Compression compression, double seconds) where T : IRosMessage, new()
    {
        byte[] frame;
        if (compression == Compression.None)
        {
            using var body = Frames.JsonBody(message, RosDialect.Ros1);
            using var publish = Frames.JsonPublish("/topic", body.Memory.Span);
            frame = publish.Memory.ToArray();
        }
        else
        {
            using var publish = Frames.CborPublish("/topic", Frames.CborBody(message, RosDialect.Ros1));
            frame = publish.Memory.ToArray();
        }
        var target = new T();
        var decoder = new BodyDecoder("bench");
        var scanner = new System.Formats.Cbor.CborReader(frame, System.Formats.Cbor.CborConformanceMode.Lax);
        void DecodeOne()
        {
            bool scanned = compression == Compression.None
                ? PublishEnvelope.TryScanJson(frame, out var envelope)
                : PublishEnvelope.TryScanCbor(frame, scanner, out envelope);
            if (!scanned)
            {
                throw new InvalidOperationException("the bench frame is not on the client's fast path");
            }
            decoder.Decode(envelope, target);
        }
        // The same warm-up as the receivers get, so the JIT's tiering is not what is measured.
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < WarmupSeconds)
        {
            DecodeOne();
        }
        long n = 0;
        var cpu = ThreadCpu();
        clock.Restart();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            for (int i = 0; i < 16; i++)
            {
                DecodeOne();
            }
            n += 16;
        }
        double rate = n / clock.Elapsed.TotalSeconds;
        return (rate, rate * frame.Length / 1e6, (ThreadCpu() - cpu).TotalMicroseconds / n);
    }

    /// <summary>This process's CPU time so far (the decoder-only rows run alone on one thread).</summary>
    private static TimeSpan ThreadCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private static long BodySize(IRosMessage message, Compression compression)
    {
        if (compression != Compression.None)
        {
            return Frames.CborBody(message, RosDialect.Ros1).Length;
        }
        using var json = Frames.JsonBody(message, RosDialect.Ros1);
        return json.Length;
    }

    /// <summary>The receiving side of a throughput row, run in a child process: prints {"perSecond":…}.</summary>
    public static int Receive(TextWriter output, string optionsJson)
    {
        using var doc = JsonDocument.Parse(optionsJson);
        var o = doc.RootElement;
        var uri = new Uri(o.GetProperty("url").GetString()!);
        string topic = o.GetProperty("topic").GetString()!;
        double seconds = o.GetProperty("seconds").GetDouble();
        double warmup = o.TryGetProperty("warmupSeconds", out var w) ? w.GetDouble() : 0;
        var compression = CompressionNames.Parse(o.GetProperty("compression").GetString());
        int drainFrameBytes = o.TryGetProperty("drainFrameBytes", out var d) ? d.GetInt32() : 0;
        var (rate, cpu) = drainFrameBytes > 0 ? Drain(uri, drainFrameBytes, seconds, warmup)
            : o.GetProperty("type").GetString() == "sensor_msgs/Image"
            ? MeasureOurs<Image>(uri, topic, seconds, warmup, compression)
            : MeasureOurs<JointState>(uri, topic, seconds, warmup, compression);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"perSecond\":{rate:F1},\"cpuMicrosPerMessage\":{cpu:F3}}}"));
        return 0;
    }

    private static JsonElement RunSelf(object options, double timeoutSeconds)
    {
        string host = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(RosbridgeBench).Assembly.Location);
        }
        start.ArgumentList.Add("bench");
        start.ArgumentList.Add("rosbridge-receive");
        start.ArgumentList.Add(JsonSerializer.Serialize(options));
        return RunChild(start, timeoutSeconds);
    }

    /// <summary>The sender's rate into a reader that does nothing but count bytes (after the upgrade):
    /// frames/s = bytes/s over the frame's size on the wire. No receiver can beat it on this machine now.</summary>
    private static (double PerSecond, double CpuMicros) Drain(Uri uri, int frameBytes, double seconds, double warmup)
    {
        using var tcp = new System.Net.Sockets.TcpClient(uri.Host, uri.Port);
        using var stream = tcp.GetStream();
        stream.Write(System.Text.Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {uri.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                                                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"));
        var buffer = new byte[256 * 1024];
        stream.ReadExactly(buffer, 0, 1); // the answer has come; its bytes count as noise against MBs
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < warmup)
        {
            stream.ReadAtLeast(buffer, 1);
        }
        using var self = Process.GetCurrentProcess();
        var cpu0 = self.TotalProcessorTime;
        long bytes = 0;
        clock.Restart();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            bytes += stream.ReadAtLeast(buffer, 1);
        }
        double frames = (double)bytes / frameBytes;
        self.Refresh();
        return (frames / clock.Elapsed.TotalSeconds, (self.TotalProcessorTime - cpu0).TotalMicroseconds / Math.Max(1, frames));
    }

    /// <summary>Messages/s, and the process's CPU time (all threads, user + system) per message: its cost,
    /// whatever share of the cores the scheduler gave it.</summary>
    private static (double PerSecond, double CpuMicros) MeasureOurs<T>(Uri uri, string topic, double seconds, double warmup, Compression compression) where T : IRosMessage, new()
    {
        using var client = new RosbridgeClient(new RosbridgeClientOptions(uri));
        long count = 0;
        long first = 0;
        var options = new SubscribeOptions { Compression = compression };
        // Decoding happens before the callback: each count is a fully decoded message in pooled buffers.
        using var sub = client.Subscribe<T>(topic, options, _ => Tick(ref count, ref first));
        client.Start();
        var deadline = Stopwatch.StartNew();
        while (Interlocked.Read(ref count) == 0 && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(5);
        }
        Thread.Sleep(TimeSpan.FromSeconds(warmup));
        using var self = Process.GetCurrentProcess();
        long c0 = Interlocked.Read(ref count);
        var cpu0 = self.TotalProcessorTime;
        long t0 = Stopwatch.GetTimestamp();
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        long c1 = Interlocked.Read(ref count);
        var elapsed = Stopwatch.GetElapsedTime(t0);
        self.Refresh();
        return ((c1 - c0) / elapsed.TotalSeconds, (self.TotalProcessorTime - cpu0).TotalMicroseconds / Math.Max(1, c1 - c0));
    }

    private static void Tick(ref long count, ref long first)
    {
        if (Interlocked.Increment(ref count) == 1)
        {
            first = Stopwatch.GetTimestamp();
        }
    }

    private static JsonElement RunPeer(string directory, object options, double timeoutSeconds)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("roslib-peer.mjs");
        start.ArgumentList.Add("count");
        start.ArgumentList.Add(JsonSerializer.Serialize(options));
        return RunChild(start, timeoutSeconds);
    }

    private static JsonElement RunChild(ProcessStartInfo start, double timeoutSeconds)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish");
        }
        var result = JsonDocument.Parse(stdout.Result.Trim().Split('\n')[^1]).RootElement.Clone();
        if (result.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException($"{start.FileName}: {error}");
        }
        return result;
    }

    private static string NodeVersion()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true })!;
            string v = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return v;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "?";
        }
    }

    /// <summary>Publish (our client, JSON TwistStamped, 200 Hz) → the server's typed handler sees it.</summary>
    private static void Latency(TextWriter output)
    {
        const int count = 2000;
        var server = new RosbridgeServer(new RosbridgeServerOptions { Port = 0 });
        server.Start();
        var sent = new long[count];
        var seen = new long[count];
        int received = 0;
        server.SubscribeLocal<TwistStamped>("/arm_controller/cartesian_twist/command", (m, _) =>
        {
            long now = Stopwatch.GetTimestamp();
            uint seq = m.Header.Seq;
            if (seq < count)
            {
                seen[seq] = now;
                Interlocked.Increment(ref received);
            }
        });
        using (var client = new RosbridgeClient(new RosbridgeClientOptions(server.Uri)))
        {
            client.WaitConnectedAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
            using var pub = client.Advertise<TwistStamped>("/arm_controller/cartesian_twist/command");
            Thread.Sleep(200);
            var twist = new TwistStamped();
            twist.Header.FrameId = "base_link";
            var period = TimeSpan.FromMilliseconds(5);
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < count; i++)
            {
                while (clock.Elapsed < period * i)
                {
                    Thread.Sleep(1);
                }
                twist.Header.Seq = (uint)i;
                twist.Twist.Linear.X = 0.01 * (i % 10);
                sent[i] = Stopwatch.GetTimestamp();
                pub.Publish(twist);
            }
            var wait = Stopwatch.StartNew();
            while (Volatile.Read(ref received) < count && wait.Elapsed < TimeSpan.FromSeconds(5))
            {
                Thread.Sleep(5);
            }
        }
        server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        var latencies = Enumerable.Range(0, count).Where(i => seen[i] != 0)
            .Select(i => Stopwatch.GetElapsedTime(sent[i], seen[i]).TotalMilliseconds).Order().ToArray();
        double P(double q) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(q * latencies.Length) - 1)];
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"command latency, RosbridgeClient.Publish → server handler (TwistStamped JSON, 200 Hz, {latencies.Length}/{count} delivered): " +
            $"p50 {P(0.50):F3} ms, p99 {P(0.99):F3} ms, p99.9 {P(0.999):F3} ms, max {latencies[^1]:F3} ms, over 10 ms: {latencies.Count(l => l > 10)}"));
    }
}
