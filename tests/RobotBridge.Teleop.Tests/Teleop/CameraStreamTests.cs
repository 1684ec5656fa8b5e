using RobotBridge.Sim.Twin;
using SkiaSharp;

namespace RobotBridge.Teleop.Tests.Teleop;

public sealed class CameraStreamTests
{
    [Fact]
    public async Task The_twin_head_camera_reaches_the_operator_as_a_throttled_jpeg()
    {
        await using var broker = await EmbeddedTestBroker.StartAsync();
        await using var rig = await TeleopRig.StartAsync(broker, camera: HeadCameraOptions.Policy(64, rate: 25),
            configure: o => o with { PullCameraFrames = true, CameraPeriod = TimeSpan.FromMilliseconds(200) });
        var visitor = await rig.ConnectAsync(TestUsers.Visitor);

        await Eventually.True(() => visitor.Camera is not null, "a camera frame arrives", timeoutSeconds: 10);
        var frame = visitor.Camera!;
        using var decoded = SKBitmap.Decode(frame.Jpeg);
        Assert.NotNull(decoded);
        Assert.Equal((64, 64), (decoded.Width, decoded.Height));
        Assert.Equal((64, 64), (frame.Width, frame.Height));

        // Throttled: at 25 Hz rendered and a 200 ms period, about 5 per second are published, not 25.
        double first = frame.StampS;
        long before = visitor.CameraFrames;
        await Task.Delay(1000);
        long received = visitor.CameraFrames - before;
        Assert.True(visitor.Camera!.StampS > first, "frames keep coming");
        Assert.InRange(received, 2, 7);
    }
}
