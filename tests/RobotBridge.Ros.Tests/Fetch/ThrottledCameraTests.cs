using System.Collections.Concurrent;
using RobotBridge.Ros.Client;
using RobotBridge.Ros.Fetch;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Protocol;
using RobotBridge.Ros.Serialization;
using RobotBridge.Ros.Tests.Rosbridge;

namespace RobotBridge.Ros.Tests.Fetch;

/// <summary>The served twin forwards its camera to the bridge as launch/head_camera.launch does on the
/// robot: /head_camera/rgb/image_throttled at camera_hz 10 (topic_tools throttle semantics), which of a
/// 15 Hz camera delivers every other frame: 7.5 Hz, the rate the launch files and docs name.</summary>
public sealed class ThrottledCameraTests
{
    [Fact]
    public async Task Served_twin_throttles_the_camera_like_the_robot_launch_files()
    {
        await using var served = new ServedTwin(camera: true);
        await using var client = new RosbridgeClient(new RosbridgeClientOptions(served.Server.Uri));
        var raw = new ConcurrentQueue<RosTime>();
        var throttled = new ConcurrentQueue<RosTime>();
        var cbor = new SubscribeOptions { Compression = Compression.Cbor };
        using var rawSubscription = client.Subscribe<Image>(FetchTopics.RgbImage, cbor, m => raw.Enqueue(m.Header.Stamp));
        using var throttledSubscription = client.Subscribe<Image>(FetchTopics.RgbThrottled, cbor, m => throttled.Enqueue(m.Header.Stamp));
        client.Start();
        // The throttle only has something to drop once two raw frames come closer than 1/10 Hz. The twin
        // renders in software and the node forwards only its latest frame, so on a loaded 2-core machine the
        // raw topic ran below 10 Hz for seconds (raw 8 frames, throttled the same 8; or fewer than 8 in 5 s).
        // Wait, with a long limit, until the raw stream shows such a pair; the checks below are on stamps.
        await ServerFixture.Eventually(() => throttled.Count >= 8 && HasPairCloserThan(raw, TimeSpan.FromSeconds(0.1)),
            "8 throttled frames and two raw frames closer than 1/10 Hz", TimeSpan.FromSeconds(30));

        Assert.Equal((Compression.Cbor, Compression.Cbor), (rawSubscription.Compression, throttledSubscription.Compression)); // binary, as on the robot
        TimeSpan[] stamps = [.. throttled.Select(s => s.ToTimeSpan())];
        // Two camera periods (7.5 Hz) at least, never the 1/10 s the throttle's argument names; the raw stream
        // may skip frames under load, so a spacing may be longer, but one of exactly two periods shows 7.5 Hz.
        TimeSpan twoFrames = 2 * FetchTopics.CameraPeriod - TimeSpan.FromMilliseconds(3);
        TimeSpan[] spacings = [.. stamps.Skip(1).Select((s, i) => s - stamps[i])];
        Assert.All(spacings, d => Assert.True(d >= twoFrames, $"throttled frames {d.TotalMilliseconds:F1} ms apart: faster than 7.5 Hz"));
        Assert.Contains(spacings, d => d < 3 * FetchTopics.CameraPeriod - TimeSpan.FromMilliseconds(3));
        Assert.True(raw.Count > throttled.Count, $"raw {raw.Count} frames, throttled {throttled.Count}");
        Assert.Subset(raw.Select(s => s.ToTimeSpan()).ToHashSet(), stamps.Where(s => s <= raw.Max(r => r.ToTimeSpan())).ToHashSet()); // the same frames, fewer of them
    }

    private static bool HasPairCloserThan(IEnumerable<RosTime> stamps, TimeSpan spacing)
    {
        TimeSpan? previous = null;
        foreach (TimeSpan stamp in stamps.Select(s => s.ToTimeSpan()))
        {
            if (stamp - previous < spacing)
            {
                return true;
            }
            previous = stamp;
        }
        return false;
    }
}
