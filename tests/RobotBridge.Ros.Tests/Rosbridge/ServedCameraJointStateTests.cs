using System.Diagnostics;
using RobotBridge.Ros.Client;
using RobotBridge.Ros.Fetch;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Protocol;
using RobotBridge.Ros.Server;
using Xunit.Abstractions;

namespace RobotBridge.Ros.Tests.Rosbridge;

/// <summary>
/// Issue 18: with the head camera on, serve's joint states must keep their 100 Hz as a real Fetch's do (its
/// joint-state driver does not wait for its camera). Before, the twin rendered each frame inside the physics
/// step under the world's lock and the node encoded the images on its own thread: 41–65 % of node cycles were
/// late and clients saw joint-state gaps of 0.4–2.7 s (<c>robotbridge bench serve-camera</c>, docs/vision.md).
/// </summary>
[Collection(ServeLoadCollection.Name)]
public sealed class ServedCameraJointStateTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Joint_states_keep_their_rate_while_the_camera_streams_to_a_busy_client()
    {
        await using var served = new ServedTwin(camera: true);
        await using var client = new RosbridgeClient(new RosbridgeClientOptions(served.Server.Uri));
        var gaps = new List<double>();
        long last = 0, images = 0;
        bool measuring = false;
        int bodyJoints = FetchTopics.BodyJoints.Count;
        using var states = client.Subscribe<JointState>(FetchTopics.JointStates, onMessage: m =>
        {
            if (m.Name.Count != bodyJoints)
            {
                return;
            }
            long now = Stopwatch.GetTimestamp();
            lock (gaps)
            {
                if (measuring && last != 0)
                {
                    gaps.Add(Stopwatch.GetElapsedTime(last, now).TotalMilliseconds);
                }
                last = now;
            }
        });
        // Busy as a camera tracker that works on each image on its receive thread (tag detection: ~8 ms at p50).
        var cbor = new SubscribeOptions { Compression = Compression.Cbor };
        Action<Image> busy = _ =>
        {
            Interlocked.Increment(ref images);
            Thread.Sleep(10);
        };
        using var rgb = client.Subscribe(FetchTopics.RgbImage, cbor, busy);
        using var depth = client.Subscribe(FetchTopics.DepthImage, cbor, busy);
        client.Start();
        await ServerFixture.Eventually(() => Interlocked.Read(ref images) >= 4, "the first camera frames", TimeSpan.FromSeconds(30));

        long ticks0 = served.Node.Ticks, late0 = served.Node.Overruns, images0 = Interlocked.Read(ref images);
        lock (gaps)
        {
            measuring = true;
        }
        var window = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(8));
        double[] measured;
        lock (gaps)
        {
            measuring = false;
            measured = [.. gaps.Order()];
        }
        double seconds = window.Elapsed.TotalSeconds;
        long cycles = served.Node.Ticks - ticks0, late = served.Node.Overruns - late0;
        double imageRate = (Interlocked.Read(ref images) - images0) / 2.0 / seconds;
        double worst = measured.Length == 0 ? double.PositiveInfinity : measured[^1];
        double p99 = measured.Length == 0 ? double.PositiveInfinity : measured[(int)Math.Ceiling(0.99 * measured.Length) - 1];
        output.WriteLine($"{measured.Length + 1} body joint states in {seconds:F1} s ({(measured.Length + 1) / seconds:F1}/s), inter-arrival p99 {p99:F1} ms, " +
                         $"max {worst:F1} ms; node cycles late {late} of {cycles}; camera {imageRate:F1} frames/s (rgb + depth) to the busy client; " +
                         $"load {File.ReadAllText("/proc/loadavg").Trim()}");

        Assert.True(imageRate >= 3, $"the camera streamed {imageRate:F1} frames/s: the test needs it streaming");
        Assert.True(measured.Length + 1 >= 90 * seconds, $"{(measured.Length + 1) / seconds:F1} joint states/s, the node publishes 100");
        // The supervisor stops on a joint state 200 ms old: a gap must stay well inside it (before: 0.4–2.7 s).
        Assert.True(worst < 120, $"a joint-state gap of {worst:F1} ms while the camera streamed");
        Assert.True(late <= cycles / 20, $"{late} of {cycles} node cycles late while the camera streamed");
    }

    [Fact]
    public async Task Images_yield_the_socket_to_joint_states_and_replies_queued_after_them()
    {
        var outbox = new SessionOutbox(16 * 1024 * 1024, 1024, TimeSpan.FromSeconds(5));
        Assert.Null(outbox.Enqueue(Frame(1, 900_000), FetchTopics.RgbImage, 2, bulk: true));
        Assert.Null(outbox.Enqueue(Frame(2, 1_200_000), FetchTopics.DepthImage, 2, bulk: true));
        Assert.Null(outbox.Enqueue(Frame(3, 900_000), FetchTopics.RgbImage, 2, bulk: true));
        Assert.Null(outbox.Enqueue(Frame(4, 600), FetchTopics.JointStates, 2));
        Assert.Null(outbox.Enqueue(Frame(5, 100), null, 0)); // a status or a reply
        Assert.Null(outbox.Enqueue(Frame(6, 600), FetchTopics.JointStates, 2));

        var order = new List<byte>();
        for (int i = 0; i < 6; i++)
        {
            using var frame = await outbox.NextAsync(CancellationToken.None);
            order.Add(frame.Memory.Span[0]);
            outbox.Sent();
        }
        // The small ones first, in their order; then the images, in theirs.
        Assert.Equal([4, 5, 6, 1, 2, 3], order);
    }

    private static PooledFrame Frame(byte tag, int length)
    {
        var frame = new PooledFrame(isText: false, length);
        frame.GetSpan(length)[..length].Fill(tag);
        frame.Advance(length);
        return frame;
    }
}
