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

    private static FetchTwin TwinLookingAtTable() => CameraTwin.LookingAtTable(Model);

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
        var config = CameraTrackerConfig.Default() with { HoldFor = 0 };
        using var tracker = new CameraObjectTracker(twin, Model, config, "cube");
        twin.SetObjectPose(SceneObject.Cube, ScenePose.At(0.6, 0.0, FetchTaskSpec.TableTop + 0.025));
        Assert.True(Poll(twin, tracker, 0.3, out _), $"not tracked: {tracker.LastMiss}");

        twin.SetObjectPose(SceneObject.Cube, ScenePose.At(-1.0, 0.5, 0.025)); // behind the robot

        Assert.False(tracker.TryGetObjectState(out _), "the frame rendered as the cube left shows no tag");
        Assert.Equal(TrackerMiss.NoTag, tracker.LastMiss);
        Assert.False(Poll(twin, tracker, 0.2, out _));
        Assert.Equal(TrackerMiss.NoTag, tracker.LastMiss);
    }

    [Fact]
    public void A_short_miss_holds_the_last_pose_with_its_own_stamp_and_no_heartbeat_until_hold_for_then_no_pose()
    {
        using FetchTwin twin = TwinLookingAtTable();
        var latch = new RobotBridge.Safety.EStopLatch(new RobotBridge.Safety.EStopLatchOptions());
        using var watchdog = new RobotBridge.Safety.HeartbeatWatchdog(latch, RobotBridge.Safety.EStopSource.Watchdog("object tracker"), TimeSpan.FromSeconds(1), twin.Clock);
        var config = CameraTrackerConfig.Default() with { HoldFor = 0.3 };
        using var tracker = new CameraObjectTracker(twin, Model, config, "cube", watchdog);
        twin.SetObjectPose(SceneObject.Cube, ScenePose.At(0.6, 0.0, FetchTaskSpec.TableTop + 0.025));
        Assert.True(Poll(twin, tracker, 0.3, out ObjectState measured), $"not tracked: {tracker.LastMiss}");
        Assert.False(tracker.LastAnswerHeld);
        TimeSpan lastBeat = watchdog.LastBeat;

        twin.SetObjectPose(SceneObject.Cube, ScenePose.At(-1.0, 0.5, 0.025)); // gone from view
        TimeSpan gone = twin.Clock.Now;

        // Within hold_for: the pose measured before, stamped when it was measured, flagged as held.
        Assert.True(Poll(twin, tracker, 0.2, out ObjectState held));
        Assert.True(tracker.LastAnswerHeld);
        Assert.Equal(TrackerMiss.NoTag, tracker.LastMiss);
        Assert.Equal(measured.Stamp, held.Stamp);
        Assert.Equal(measured.Position, held.Position);
        Assert.True(twin.Clock.Now - held.Stamp <= TimeSpan.FromSeconds(0.3));
        Assert.Equal(lastBeat, watchdog.LastBeat); // a held pose is no sign of life
        // Past it: no pose, though the last one is still the newest the tracker has.
        Assert.False(Poll(twin, tracker, 0.2, out _));
        Assert.False(tracker.LastAnswerHeld);
        Assert.Equal(TrackerMiss.NoTag, tracker.LastMiss);
        Assert.True(twin.Clock.Now - gone < TimeSpan.FromSeconds(0.5));
    }

    [Fact]
    public void Hold_for_longer_than_stale_after_is_refused_naming_both()
    {
        var error = Assert.Throws<CameraTrackerConfigException>(() => CameraTrackerConfig.Parse(
            """{ "stale_after": 0.2, "hold_for": 0.5, "objects": [ { "object": "cube", "id": 0, "size": 0.04 } ] }""", "test.json"));
        Assert.Contains("hold_for 0.5", error.Message);
        Assert.Contains("stale_after (0.2 s)", error.Message);
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
        // The config says the cube carries id 17; the twin's cube shows ids 0 and 2 to 5.
        var config = CameraTrackerConfig.Default() with
        {
            Objects = [new TaggedObject { Object = "cube", Id = 17, Size = 0.04, Xyz = [0, 0, 0.025], Rpy = [Math.PI, 0, 0] }],
        };
        using var tracker = new CameraObjectTracker(twin, Model, config, "cube");
        twin.SetObjectPose(SceneObject.Cube, ScenePose.At(0.6, 0.0, FetchTaskSpec.TableTop + 0.025));

        Assert.False(Poll(twin, tracker, 0.3, out _));
        Assert.Equal(TrackerMiss.UnknownTag, tracker.LastMiss);
        Assert.Contains(tracker.LastDetections, d => d.Id == SceneTags.CubeTagId);
    }

    private static RobotBridge.Gym.IEnv<RobotBridge.Gym.Spaces.DictValue, float[]> Make(string id, params (string Key, object Value)[] options)
    {
        var registry = new RobotBridge.Gym.Registration.EnvRegistry();
        FetchEnvs.Register(registry, new SimFetchBodyProvider(), () => Model);
        var envOptions = new RobotBridge.Gym.Registration.EnvOptions();
        foreach (var (key, value) in options)
        {
            envOptions = envOptions.With(key, value);
        }
        return registry.Make<RobotBridge.Gym.Spaces.DictValue, float[]>(id, envOptions);
    }

    [Fact]
    public void The_object_tracker_option_switches_a_push_episode_from_ground_truth_to_the_camera()
    {
        using (var truth = Make("FetchPush-v4", (ObjectTrackerChoice.Option, "truth")))
        {
            truth.Reset(seed: 3);
            var step = truth.Step([0f, 0f, 0f, 0f]);
            Assert.True(step.Info.Get(FetchTaskInfoKeys.ObjectTracked));
            Assert.Equal(TimeSpan.Zero, step.Info.Get(FetchTaskInfoKeys.ObjectAge)); // v4: read as the step ends
        }
        // In the v4 start pose the upper arm fills the middle of the head camera's view: the camera cannot
        // see the cube it was given, and the episode refuses to start rather than observe a pose from
        // before it (the deployable family starts the arm to the side).
        using var camera = Make("FetchPush-v4", (ObjectTrackerChoice.Option, "camera"));
        var error = Assert.Throws<TaskResetException>(() => camera.Reset(seed: 3));
        Assert.Contains("does not see the object", error.Message);
        Assert.Contains("NoTag", error.Message);
    }

    [Fact]
    public void Every_episode_starts_from_a_frame_of_the_object_where_it_was_placed_even_at_the_same_instant()
    {
        using var env = Make("FetchPushDeploy-v1", (ObjectTrackerChoice.Option, "camera"));
        foreach (int seed in new[] { 0, 2, 0 })
        {
            // No time passes between these resets: each placement's frame has the previous one's stamp.
            var (obs, info) = env.Reset(seed: seed);
            Assert.True(info.Get(FetchTaskInfoKeys.ObjectTracked));
            double[] o = RobotBridge.Gym.Goals.GoalObservation.Observation(obs);
            using var twinTruth = Make("FetchPushDeploy-v1");
            var (truthObs, _) = twinTruth.Reset(seed: seed);
            double[] t = RobotBridge.Gym.Goals.GoalObservation.Observation(truthObs);
            double error = Math.Sqrt(Math.Pow(o[3] - t[3], 2) + Math.Pow(o[4] - t[4], 2) + Math.Pow(o[5] - t[5], 2));
            Assert.True(error < 0.015, $"seed {seed}: camera ({o[3]:F3}, {o[4]:F3}, {o[5]:F3}) vs truth ({t[3]:F3}, {t[4]:F3}, {t[5]:F3})");
        }
    }

    /// <summary>Runs the scripted controller through one seeded camera-tracked deployable episode; the
    /// steps whose observation had a fresh (not held) pose.</summary>
    private static int FreshlyTrackedSteps(string id, string posture)
    {
        using var env = Make(id, (ObjectTrackerChoice.Option, "camera"), (FetchEnvs.ArmPostureOption, posture));
        var controller = FetchEnvs.ScriptedFor(id)!;
        var action = new float[4];
        var (obs, _) = env.Reset(seed: 0);
        controller.Reset();
        int fresh = 0;
        for (int i = 0; i < FetchEnvs.MaxEpisodeSteps; i++)
        {
            controller.Act(obs, action);
            var step = env.Step(action);
            obs = step.Observation;
            // The observation lags one 100 ms step; a fresh camera pose adds at most a frame (67 ms).
            fresh += step.Info.Get(FetchTaskInfoKeys.ObjectTracked) && step.Info.Get(FetchTaskInfoKeys.ObjectAge) <= TimeSpan.FromMilliseconds(170) ? 1 : 0;
        }
        return fresh;
    }

    [Fact]
    public void Started_elbow_out_the_arm_stays_out_of_the_camera_view_of_a_pushed_cube_far_more_than_elbow_up()
    {
        int up = FreshlyTrackedSteps("FetchPushDeploy-v1", "elbow-up");
        int outward = FreshlyTrackedSteps("FetchPushDeploy-v1", "elbow-out");

        // Elbow up, the upper arm rises in front of the head camera and hides the table once the gripper
        // nears the middle (seed 0: 12 of 50 steps when measured); elbow out it stays below the view.
        Assert.True(outward >= 2 * up && outward >= 25, $"fresh camera poses in 50 steps: elbow-up {up}, elbow-out {outward}");
    }

    [Fact]
    public void An_unknown_arm_posture_is_refused_with_the_choices()
    {
        var error = Assert.Throws<RobotBridge.Gym.InvalidEnvArgumentException>(() => Make("FetchPushDeploy-v1", (FetchEnvs.ArmPostureOption, "sideways")));
        Assert.Contains("elbow-up, elbow-out", error.Message);
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
