using RobotBridge.Robots;
using RobotBridge.Ros.Client;
using RobotBridge.Ros.Fetch;
using RobotBridge.Ros.Protocol;

namespace RobotBridge.Ros.Tests.Rosbridge;

/// <summary>The whole deployment path on one machine: a rosbridge client → our server → the MuJoCo twin.</summary>
public class ServedTwinTests
{
    private static readonly double[] ArmTarget = [0.6, -0.3, 0.2, 1.2, 0.0, 0.8, 0.0];

    [Fact]
    public async Task Roslib_action_client_moves_the_served_twins_arm()
    {
        await using var served = new ServedTwin();
        var result = await RoslibPeer.RunAsync("drive", new
        {
            url = served.Server.Uri.ToString(),
            server = "/arm_controller/follow_joint_trajectory",
            joints = FetchJoints.Arm,
            positions = ArmTarget,
            secs = 1,
            joint = FetchJoints.ShoulderPan,
            timeoutSeconds = 25,
        }, TimeSpan.FromSeconds(30));
        Assert.False(result.TryGetProperty("error", out var error), error.ToString());
        Assert.True(result.GetProperty("messages").GetInt32() > 20, result.ToString());
        Assert.Equal(3, result.GetProperty("finalStatus").GetInt32()); // actionlib SUCCEEDED
        Assert.Equal(0, result.GetProperty("result").GetProperty("error_code").GetInt32());
        double first = result.GetProperty("first").GetDouble(), last = result.GetProperty("last").GetDouble();
        Assert.True(Math.Abs(first - ArmTarget[0]) > 0.3, $"shoulder_pan started at {first}, too close to the target to show motion");
        Assert.True(Math.Abs(last - ArmTarget[0]) < 0.05, $"roslib saw shoulder_pan end at {last}, target {ArmTarget[0]}");
        var state = new RobotState();
        served.Twin.ReadState(state);
        Assert.Equal(ArmTarget[0], state.Position[FetchJoints.IndexOf(FetchJoints.ShoulderPan)], 0.05);
    }

    [Theory]
    [InlineData(RosDialect.Ros1)]
    [InlineData(RosDialect.Ros2)]
    public async Task RosFetch_runs_a_trajectory_episode_through_the_websocket(RosDialect dialect)
    {
        await using var served = new ServedTwin(camera: dialect == RosDialect.Ros1, dialect: dialect);
        using var fetch = new RosFetch(new RosFetchOptions(served.Server.Uri) { Dialect = dialect });
        Assert.True(await fetch.WaitForStateAsync(TimeSpan.FromSeconds(10)), "merged joint state (body + gripper messages)");
        Assert.Equal(LinkStatus.Connected, fetch.Link);
        Assert.True(fetch.ObservationAge < TimeSpan.FromSeconds(0.2), $"observation age {fetch.ObservationAge}");

        var state = new RobotState();
        // Episode: reach an arm pose, then open the gripper, reading state at 20 Hz like a control loop.
        fetch.SendTrajectory(new JointTrajectory(JointGroup.Arm, [new TrajectoryPoint(ArmTarget, null, TimeSpan.FromSeconds(1.2))]));
        fetch.SendGripper(0.08, 60);
        var deadline = fetch.Clock.Now + TimeSpan.FromSeconds(8);
        double error = double.MaxValue;
        while (fetch.Clock.Now < deadline)
        {
            fetch.Clock.WaitUntil(fetch.Clock.Now + TimeSpan.FromMilliseconds(50));
            fetch.ReadState(state);
            error = FetchJoints.Arm.Select((j, i) => Math.Abs(state.Position[FetchJoints.IndexOf(j)] - ArmTarget[i])).Max();
            if (error < 0.03 && state.GripperSeparation > 0.06)
            {
                break;
            }
        }
        Assert.True(error < 0.03, $"arm error {error} after the episode");
        Assert.True(state.GripperSeparation > 0.06, $"gripper opened to {state.GripperSeparation}");
        Assert.True(state.IsValid);

        if (dialect == RosDialect.Ros1)
        {
            // Head camera: the throttled rgb8 stream (as launch/head_camera.launch forwards it), CBOR, 640x480.
            CameraFrame? frame = null;
            for (int i = 0; i < 100 && frame is null; i++)
            {
                await Task.Delay(50);
                frame = fetch.TryGetCameraFrame();
            }
            Assert.NotNull(frame);
            using (frame)
            {
                Assert.Equal((640, 480), (frame.Width, frame.Height));
                Assert.True(frame.Rgb.ToArray().Any(b => b != 0), "frame has image content");
            }
        }

        fetch.SetRunstop(true);
        await ServerFixture.Eventually(() => { fetch.ReadState(state); return state.Runstopped; }, "runstop reported back on /software_runstop_enabled");
        Assert.Equal(0, fetch.DroppedCommands);
    }

    [Fact]
    public async Task Pulling_the_connection_mid_motion_stops_the_robot_then_reconnects_and_resubscribes()
    {
        await using var served = new ServedTwin();
        using var fetch = new RosFetch(new RosFetchOptions(served.Server.Uri) { ReconnectDelayMax = TimeSpan.FromMilliseconds(300) });
        var links = new System.Collections.Concurrent.ConcurrentQueue<LinkStatus>();
        fetch.LinkChanged += (status, _) => links.Enqueue(status);
        Assert.True(await fetch.WaitForStateAsync(TimeSpan.FromSeconds(10)));

        int pan = FetchJoints.IndexOf(FetchJoints.ShoulderPan);
        var state = new RobotState();
        fetch.ReadState(state);
        double start = state.Position[pan];
        // A slow 4 s swing of shoulder_pan by -2 rad from wherever the twin starts (the tuck pose).
        double[] far = [.. FetchJoints.Arm.Select(j => state.Position[FetchJoints.IndexOf(j)])];
        far[0] = start - 2.0;
        fetch.SendTrajectory(new JointTrajectory(JointGroup.Arm, [new TrajectoryPoint(far, null, TimeSpan.FromSeconds(4))]));
        await ServerFixture.Eventually(() => { served.Twin.ReadState(state); return state.Position[pan] < start - 0.2; }, "arm moving");

        served.Server.DropAllConnections();
        await ServerFixture.Eventually(() => links.Contains(LinkStatus.Lost), "RosFetch reports the link loss");
        Assert.NotEqual(LinkStatus.Connected, fetch.Link);

        // The server stopped the twin when its commanding client vanished: the arm holds short of the target.
        await Task.Delay(700);
        served.Twin.ReadState(state);
        double heldAt = state.Position[pan];
        await Task.Delay(500);
        served.Twin.ReadState(state);
        Assert.True(heldAt > far[0] + 0.5, $"arm kept going to {heldAt} (target {far[0]}) after the link was pulled");
        Assert.True(Math.Abs(state.Position[pan] - heldAt) < 0.02, $"arm still moving: {heldAt} -> {state.Position[pan]}");

        await ServerFixture.Eventually(() => fetch.Link == LinkStatus.Connected, "reconnected with fresh joint states", TimeSpan.FromSeconds(10));
        Assert.Equal(1, fetch.LinkLosses);
        Assert.True(fetch.ObservationAge < TimeSpan.FromSeconds(0.3));
        // Commands flow again after the reconnect (re-advertised goal topic).
        far[0] = start;
        fetch.SendTrajectory(new JointTrajectory(JointGroup.Arm, [new TrajectoryPoint(far, null, TimeSpan.FromSeconds(1))]));
        await ServerFixture.Eventually(() => { served.Twin.ReadState(state); return state.Position[pan] > heldAt + 0.2; }, "arm moves again", TimeSpan.FromSeconds(8));
    }
}
