using RobotBridge.Model;
using RobotBridge.Robots;
using RobotBridge.Sim.Scene;
using RobotBridge.Sim.Tasks;
using RobotBridge.Sim.Twin;
using RobotBridge.Tasks;
using RobotBridge.Vision.Tracking;

namespace RobotBridge.Vision.Tests.Twin;

/// <summary>The whole chain on the twin: the cube's rendered tag → detection → pose → base_link, against
/// the twin's ground truth.</summary>
public class CameraObjectTrackerTests
{
    private static readonly RobotModel Model = FetchModel.Load();

    /// <summary>A twin with the 640x480 camera, the arm tucked out of view and the head aimed at the
    /// middle of the table as the tasks aim it.</summary>
    private static FetchTwin TwinLookingAtTable()
    {
        var twin = new FetchTwin(new FetchTwinOptions { Camera = HeadCameraOptions.Carmine with { Depth = false } });
        twin.SetRobotJoints(ScenePoses.TuckedLookingAtTable(Model));
        twin.SetObjectPose(SceneObject.Puck, ScenePose.At(-1.0, -0.5, 0.02));
        return twin;
    }

    private static ScenePose Yawed(double x, double y, double z, double yaw) =>
        new(x, y, z, Math.Cos(yaw / 2), 0, 0, Math.Sin(yaw / 2));

    /// <summary>Polls the tracker as a task does, every 40 ms, for <paramref name="seconds"/>.</summary>
    private static bool Poll(FetchTwin twin, CameraObjectTracker tracker, double seconds, out ObjectState state)
    {
        bool tracked = false;
        state = default;
        for (TimeSpan end = twin.Clock.Now + TimeSpan.FromSeconds(seconds); twin.Clock.Now < end;)
        {
            twin.Clock.WaitUntil(twin.Clock.Now + TimeSpan.FromMilliseconds(40));
            tracked = tracker.TryGetObjectState(out state);
        }
        return tracked;
    }

    [Fact]
    public void The_rendered_cube_tag_is_detected_with_its_id_and_gives_the_cube_pose_within_a_centimetre()
    {
        using FetchTwin twin = TwinLookingAtTable();
        using var tracker = new CameraObjectTracker(twin, Model, CameraTrackerConfig.Default(), "cube");
        var truth = new TwinObjectTracker(twin, SceneObject.Cube);
        foreach (var (x, y, yaw) in new[] { (0.55, 0.1, 0.0), (0.66, -0.08, 0.6), (0.62, 0.0, -1.2) })
        {
            twin.SetObjectPose(SceneObject.Cube, Yawed(x, y, FetchTaskSpec.TableTop + 0.025, yaw));

            Assert.True(Poll(twin, tracker, 0.3, out ObjectState seen), $"cube at ({x}, {y}) not tracked: {tracker.LastMiss}");

            Assert.Contains(tracker.LastDetections, d => d.Id == SceneTags.CubeTagId);
            Assert.True(truth.TryGetObjectState(out ObjectState real));
            double error = (seen.Position - real.Position).Length;
            Assert.True(error < 0.01, $"cube at ({x}, {y}, yaw {yaw}): camera {seen.Position} vs truth {real.Position}, {error * 1000:F1} mm apart");
            // Orientation: the yaw about the table normal comes through (mod the tag's 4-fold symmetry none: the code is asymmetric).
            double yawError = Math.Abs(Math.IEEERemainder(seen.Orientation.ToRpy().Z - real.Orientation.ToRpy().Z, 2 * Math.PI));
            Assert.True(yawError < 0.05, $"yaw {seen.Orientation.ToRpy().Z:F3} vs truth {real.Orientation.ToRpy().Z:F3}");
            Assert.True(seen.Stamp <= twin.Clock.Now && twin.Clock.Now - seen.Stamp < TimeSpan.FromSeconds(0.1));
        }
    }

    [Fact]
    public void A_frame_without_the_tag_gives_no_pose_rather_than_the_last_one()
    {
        using FetchTwin twin = TwinLookingAtTable();
        using var tracker = new CameraObjectTracker(twin, Model, CameraTrackerConfig.Default(), "cube");
        twin.SetObjectPose(SceneObject.Cube, ScenePose.At(0.6, 0.0, FetchTaskSpec.TableTop + 0.025));
        Assert.True(Poll(twin, tracker, 0.3, out _), $"not tracked: {tracker.LastMiss}");

        twin.SetObjectPose(SceneObject.Cube, ScenePose.At(-1.0, 0.5, 0.025)); // behind the robot

        Assert.False(Poll(twin, tracker, 0.2, out _));
        Assert.Equal(TrackerMiss.NoTag, tracker.LastMiss);
    }

    [Fact]
    public void A_lost_object_trips_a_watchdog_fed_by_the_tracker_and_a_found_one_clears_it()
    {
        using FetchTwin twin = TwinLookingAtTable();
        var latch = new RobotBridge.Safety.EStopLatch(new RobotBridge.Safety.EStopLatchOptions());
        var source = RobotBridge.Safety.EStopSource.Watchdog("object tracker");
        using var watchdog = new RobotBridge.Safety.HeartbeatWatchdog(latch, source, TimeSpan.FromSeconds(0.3), twin.Clock);
        using var tracker = new CameraObjectTracker(twin, Model, CameraTrackerConfig.Default(), "cube", watchdog);
        twin.SetObjectPose(SceneObject.Cube, ScenePose.At(0.6, 0.0, FetchTaskSpec.TableTop + 0.025));
        Assert.True(Poll(twin, tracker, 0.2, out _));
        Assert.True(watchdog.Check());

        twin.SetObjectPose(SceneObject.Cube, ScenePose.At(-1.0, 0.5, 0.025));
        Assert.False(Poll(twin, tracker, 0.5, out _));

        Assert.False(watchdog.Check());
        Assert.True(latch.IsStopped);
        twin.SetObjectPose(SceneObject.Cube, ScenePose.At(0.6, 0.0, FetchTaskSpec.TableTop + 0.025));
        Assert.True(Poll(twin, tracker, 0.2, out _));
        Assert.True(watchdog.Check());
    }

    [Fact]
    public void A_stale_frame_gives_no_pose()
    {
        using FetchTwin twin = TwinLookingAtTable();
        var config = CameraTrackerConfig.Default() with { StaleAfter = 0.3 };
        using var tracker = new CameraObjectTracker(twin, Model, config, "cube");
        twin.SetObjectPose(SceneObject.Cube, ScenePose.At(0.6, 0.0, FetchTaskSpec.TableTop + 0.025));
        Assert.True(Poll(twin, tracker, 0.3, out _), $"not tracked: {tracker.LastMiss}");

        twin.ConfigureCamera(HeadCameraOptions.Off); // the camera goes dark: the last frame ages

        Assert.True(Poll(twin, tracker, 0.2, out _), "a frame younger than the bound still counts");
        Assert.False(Poll(twin, tracker, 0.2, out _));
        Assert.Equal(TrackerMiss.StaleFrame, tracker.LastMiss);
    }

    [Fact]
    public void A_tag_with_another_id_gives_no_pose()
    {
        using FetchTwin twin = TwinLookingAtTable();
        // The config says the cube carries id 5; the twin's cube shows id 0.
        var config = CameraTrackerConfig.Default() with
        {
            Objects = [new TaggedObject { Object = "cube", Id = 5, Size = 0.04, Xyz = [0, 0, 0.025], Rpy = [Math.PI, 0, 0] }],
        };
        using var tracker = new CameraObjectTracker(twin, Model, config, "cube");
        twin.SetObjectPose(SceneObject.Cube, ScenePose.At(0.6, 0.0, FetchTaskSpec.TableTop + 0.025));

        Assert.False(Poll(twin, tracker, 0.3, out _));
        Assert.Equal(TrackerMiss.UnknownTag, tracker.LastMiss);
        Assert.Contains(tracker.LastDetections, d => d.Id == SceneTags.CubeTagId);
    }

    /// <summary>Steps a Push episode with the given tracker option; returns in how many of 10 steps the
    /// object was tracked.</summary>
    private static int TrackedSteps(string tracker)
    {
        var registry = new RobotBridge.Gym.Registration.EnvRegistry();
        FetchEnvs.Register(registry, new SimFetchBodyProvider(), () => Model);
        using var env = registry.Make<RobotBridge.Gym.Spaces.DictValue, float[]>("FetchPush-v4",
            new RobotBridge.Gym.Registration.EnvOptions().With(ObjectTrackerChoice.Option, tracker));
        env.Reset(seed: 3);
        int tracked = 0;
        for (int i = 0; i < 10; i++)
        {
            var step = env.Step([0f, 0f, 0f, 0f]);
            tracked += step.Info.Get(FetchTaskInfoKeys.ObjectTracked) ? 1 : 0;
        }
        return tracked;
    }

    [Fact]
    public void The_object_tracker_option_switches_a_push_episode_from_ground_truth_to_the_camera()
    {
        Assert.Equal(10, TrackedSteps("truth"));
        // In Push's start pose the upper arm fills the middle of the head camera's view (the cube is
        // hidden), so the camera tracker reports the object lost where ground truth always has it.
        Assert.Equal(0, TrackedSteps("camera"));
    }

    [Fact]
    public void An_unknown_tracker_option_is_refused_with_the_choices()
    {
        var registry = new RobotBridge.Gym.Registration.EnvRegistry();
        FetchEnvs.Register(registry, new SimFetchBodyProvider(), () => Model);
        var error = Assert.Throws<RobotBridge.Gym.InvalidEnvArgumentException>(() => registry.Make<RobotBridge.Gym.Spaces.DictValue, float[]>(
            "FetchPush-v4", new RobotBridge.Gym.Registration.EnvOptions().With(ObjectTrackerChoice.Option, "radar")));
        Assert.Contains("truth, camera", error.Message);
    }
}
