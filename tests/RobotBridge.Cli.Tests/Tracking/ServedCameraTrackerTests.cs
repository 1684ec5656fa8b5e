using RobotBridge.Gym;
using RobotBridge.Gym.Registration;
using RobotBridge.Model;
using RobotBridge.Robots;
using RobotBridge.Ros.Protocol;
using RobotBridge.Ros.Server;
using RobotBridge.Ros.Fetch;
using RobotBridge.Ros.Tasks;
using RobotBridge.Sim.Scene;
using RobotBridge.Sim.Tasks;
using RobotBridge.Sim.Twin;
using RobotBridge.Tasks;
using RobotBridge.Vision.Tracking;

namespace RobotBridge.Cli.Tests.Tracking;

/// <summary>
/// <c>object_tracker=camera</c> on a rosbridge body: the body subscribes the head camera and the object's
/// pose comes from the AprilTag tracker on the frames that crossed the WebSocket, not from a pose topic.
/// The served twin stands in for the Fetch: it renders the tagged cube, and its ground truth is the check.
/// </summary>
[Collection(RobotBridge.Cli.Tests.Quickstart.TorchCollection.Name)] // one real-time chain at a time: on 2 cores two starve each other
public sealed class ServedCameraTrackerTests
{
    [Fact]
    public async Task A_rosbridge_body_with_the_camera_tracker_sees_the_served_cube_where_it_is()
    {
        using var twin = new FetchTwin(new FetchTwinOptions { ClockMode = TwinClockMode.RealTime, Camera = HeadCameraOptions.Carmine with { Depth = false } });
        twin.SetRobotJoints(ScenePoses.TuckedLookingAtTable(FetchModel.Load()));
        twin.SetObjectPose(SceneObject.Cube, ScenePose.At(0.65, 0.05, FetchTaskSpec.TableTop + 0.025));
        await using var server = new RosbridgeServer(new RosbridgeServerOptions { Port = 0, Dialect = RosDialect.Ros1 });
        server.Start();
        // No object source: nothing publishes the object pose topic, as on a real Fetch without a detector.
        using var node = new FetchRobotNode(server, twin);

        var provider = new RosFetchBodyProvider(new NoOperator(), cameraTracker: CameraTracking.Create);
        FetchTaskBody body = provider.Create(server.Uri.ToString(), FetchTaskSpec.For(FetchTaskKind.Push),
            new EnvOptions().With(ObjectTrackerChoice.Option, "camera"));
        try
        {
            var tracker = Assert.IsType<CameraObjectTracker>(Assert.IsType<RobotTaskWorld>(body.World).Tracker);
            ObjectState seen = default;
            bool found = false;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (!found && DateTime.UtcNow < deadline)
            {
                found = body.World.TryGetObjectState(out seen);
                Thread.Sleep(50);
            }
            Assert.True(found, $"no pose from the camera over rosbridge within 20 s (last miss: {tracker.LastMiss}, frames {tracker.FramesProcessed})");
            Vec3 truth = CubeInBase(twin);
            double error = (seen.Position - truth).Length;
            Assert.True(error < 0.01, $"camera pose {seen.Position} is {error * 1000:F1} mm from the twin's cube at {truth}");

            // The cube leaves the camera's view: the answer becomes "no pose", never the last one.
            twin.SetObjectPose(SceneObject.Cube, ScenePose.At(-1.0, 0.5, 0.025));
            deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (body.World.TryGetObjectState(out _) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }
            Assert.False(body.World.TryGetObjectState(out _), "the tracker still reported a pose 10 s after the cube left the view");
            Assert.Contains(tracker.LastMiss, new[] { TrackerMiss.NoTag, TrackerMiss.UnknownTag, TrackerMiss.StaleFrame });
        }
        finally
        {
            body.World.Dispose();
            body.Owner?.Dispose();
        }
    }

    [Fact]
    public void The_camera_tracker_on_a_rosbridge_body_without_the_vision_tracker_is_refused_before_connecting()
    {
        var provider = new RosFetchBodyProvider(new NoOperator());
        var e = Assert.Throws<InvalidEnvArgumentException>(() => provider.Create("ws://127.0.0.1:1", FetchTaskSpec.For(FetchTaskKind.Push),
            new EnvOptions().With(ObjectTrackerChoice.Option, "camera")));
        Assert.Contains("object_tracker", e.Message);
    }

    /// <summary>No episode is reset here, so nobody is asked to place anything.</summary>
    private sealed class NoOperator : IOperatorPrompt
    {
        public bool Confirm(string request, CancellationToken cancellationToken = default) => false;
    }

    private static Vec3 CubeInBase(FetchTwin twin)
    {
        ScenePose p = twin.GetObjectPose(SceneObject.Cube);
        ScenePose b = twin.GetBodyPose("base_link");
        var baseLink = new RigidTransform(Rotation3.FromQuaternion(b.Qx, b.Qy, b.Qz, b.Qw), new Vec3(b.X, b.Y, b.Z));
        return baseLink.Inverse().TransformPoint(new Vec3(p.X, p.Y, p.Z));
    }
}
