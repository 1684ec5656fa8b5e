using System.CommandLine;
using RobotBridge.Model;
using RobotBridge.Robots;
using RobotBridge.Ros.Fetch;
using RobotBridge.Ros.Messages;
using RobotBridge.Sim.Scene;
using RobotBridge.Sim.Tasks;
using RobotBridge.Sim.Twin;
using RobotBridge.Tasks;
using RobotBridge.Vision.Interop;
using RobotBridge.Vision.Tracking;

namespace RobotBridge.Cli.Commands;

/// <summary>
/// <c>robotbridge vision check</c>: the camera object tracker on the twin or a robot before a run: the
/// camera intrinsics the robot publishes next to the config's, then every frame's detections and the
/// object's pose in base_link (on the twin, its error against ground truth).
/// </summary>
internal static class VisionCommand
{
    public static Command Create()
    {
        var vision = new Command("vision", "AprilTag camera tracking checks.\nExample: robotbridge vision check --robot sim");
        var robot = new Option<string>("--robot") { Description = "sim (the twin, cube on the table) or a rosbridge URL such as ws://fetch:9090", DefaultValueFactory = _ => "sim" };
        var item = new Option<string>("--object") { Description = "Object of the tag config to track (cube, puck)", DefaultValueFactory = _ => "cube" };
        var config = new Option<string?>("--tag-config") { Description = "Tag config JSON (default the shipped fetch-tags.json)" };
        var seconds = new Option<double>("--seconds") { Description = "How long to watch", DefaultValueFactory = _ => 2 };
        var topic = new Option<string>("--camera-topic") { Description = "Image topic on a rosbridge robot", DefaultValueFactory = _ => FetchTopics.RgbImage };
        var check = new Command("check",
            "Prints the camera intrinsics (robot vs config), each frame's tag detections and the object's pose in base_link.\n" +
            "Example: robotbridge vision check --robot ws://fetch:9090 --seconds 5");
        foreach (Option option in new Option[] { robot, item, config, seconds, topic })
        {
            check.Options.Add(option);
        }
        check.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            TextWriter error = parse.InvocationConfiguration.Error;
            double duration = parse.GetValue(seconds);
            if (!double.IsFinite(duration) || duration <= 0 || duration > 600)
            {
                error.WriteLine($"robotbridge vision check: --seconds {duration} must be in (0, 600]");
                return Program.UsageError;
            }
            try
            {
                string? path = parse.GetValue(config);
                CameraTrackerConfig tags = path is null ? CameraTrackerConfig.Default() : CameraTrackerConfig.Load(path);
                TaggedObject target = tags.For(parse.GetValue(item)!);
                string where = parse.GetValue(robot)!;
                bool sim = string.Equals(where, "sim", StringComparison.OrdinalIgnoreCase);
                Uri? uri = null;
                if (!sim && (!Uri.TryCreate(where, UriKind.Absolute, out uri) || uri.Scheme is not ("ws" or "wss")))
                {
                    error.WriteLine($"robotbridge vision check: --robot \"{where}\" is neither sim nor a rosbridge URL (ws://host:9090)");
                    return Program.UsageError;
                }
                output.WriteLine($"tracking {target.Object}: {tags.Family} ids {target.IdList}, black square {target.Size * 1000:F1} mm");
                foreach (ObjectTag tag in target.AllTags)
                {
                    output.WriteLine($"  id {tag.Id} at xyz [{string.Join(", ", tag.Xyz)}] rpy [{string.Join(", ", tag.Rpy.Select(v => v.ToString("F3")))}] on it");
                }
                output.WriteLine($"config camera: fx {tags.Intrinsics.Fx:F2} fy {tags.Intrinsics.Fy:F2} cx {tags.Intrinsics.Cx:F2} cy {tags.Intrinsics.Cy:F2} " +
                                 $"({tags.Intrinsics.Width}x{tags.Intrinsics.Height}{(tags.Camera is null ? ", the twin's" : "")})");
                if (sim)
                {
                    return OnTwin(tags, target, duration, output);
                }
                return OnRobot(uri!, parse.GetValue(topic)!, tags, target, duration, output, error);
            }
            catch (Exception e) when (e is CameraTrackerConfigException or AprilTagUnavailableException)
            {
                error.WriteLine($"robotbridge vision check: {e.Message}");
                return 1;
            }
        });
        vision.Subcommands.Add(check);
        return vision;
    }

    private static int OnTwin(CameraTrackerConfig tags, TaggedObject target, double seconds, TextWriter output)
    {
        RobotModel model = FetchModel.Load();
        using var twin = new FetchTwin(new FetchTwinOptions { Camera = HeadCameraOptions.Carmine with { Depth = false } });
        twin.SetRobotJoints(ScenePoses.TuckedLookingAtTable(model));
        bool puck = string.Equals(target.Object, "puck", StringComparison.OrdinalIgnoreCase);
        SceneObject item = puck ? SceneObject.Puck : SceneObject.Cube;
        twin.SetObjectPose(puck ? SceneObject.Cube : SceneObject.Puck, ScenePose.At(-1.0, 0.5, 0.025));
        twin.SetObjectPose(item, ScenePose.At(0.65, 0.05, FetchTaskSpec.TableTop + (puck ? 0.02 : 0.025)));
        output.WriteLine($"twin: arm tucked, head aimed at the table centre, {target.Object} at (0.650, 0.050) on the table");
        using var tracker = new CameraObjectTracker(twin, model, tags, target.Object);
        var truth = new TwinObjectTracker(twin, item);
        Watch(twin.Clock, tracker, seconds, output, () => truth.TryGetObjectState(out ObjectState s) ? s.Position : null);
        return 0;
    }

    private static int OnRobot(Uri uri, string topic, CameraTrackerConfig tags, TaggedObject target, double seconds, TextWriter output, TextWriter error)
    {
        using var fetch = new RosFetch(new RosFetchOptions(uri) { CameraTopic = topic });
        if (!fetch.WaitForStateAsync(TimeSpan.FromSeconds(15)).GetAwaiter().GetResult())
        {
            error.WriteLine($"robotbridge vision check: no joint state from {uri} within 15 s (link {fetch.Link})");
            return 1;
        }
        CameraInfo? info = null;
        using (fetch.Client.Subscribe<CameraInfo>(FetchTopics.RgbCameraInfo, onMessage: m => info ??= Copy(m)))
        {
            DateTime until = DateTime.UtcNow + TimeSpan.FromSeconds(3);
            while (Volatile.Read(ref info) is null && DateTime.UtcNow < until)
            {
                Thread.Sleep(50);
            }
        }
        if (info is null)
        {
            output.WriteLine($"robot camera: nothing on {FetchTopics.RgbCameraInfo} within 3 s (intrinsics not checked)");
        }
        else
        {
            output.WriteLine($"robot camera: fx {info.K[0]:F2} fy {info.K[4]:F2} cx {info.K[2]:F2} cy {info.K[5]:F2} ({info.Width}x{info.Height})");
            var c = tags.Intrinsics.ScaledTo((int)info.Width, (int)info.Height);
            double worst = new[] { info.K[0] / c.Fx - 1, info.K[4] / c.Fy - 1 }.Max(Math.Abs);
            output.WriteLine(worst > 0.01
                ? $"WARNING: the config's focal length differs from the robot's by {worst * 100:F1} %: positions scale by as much; copy K into the config's \"camera\""
                : "intrinsics agree within 1 %");
        }
        using var tracker = new CameraObjectTracker(fetch, FetchModel.Load(), tags, target.Object);
        Watch(fetch.Clock, tracker, seconds, output, truth: null);
        return 0;
    }

    private static CameraInfo Copy(CameraInfo m)
    {
        var copy = new CameraInfo { Width = m.Width, Height = m.Height };
        m.K.CopyTo(copy.K, 0);
        return copy;
    }

    private static void Watch(IRobotClock clock, CameraObjectTracker tracker, double seconds, TextWriter output, Func<Vec3?>? truth)
    {
        TimeSpan end = clock.Now + TimeSpan.FromSeconds(seconds);
        long frames = tracker.FramesProcessed;
        while (clock.Now < end)
        {
            clock.WaitUntil(clock.Now + TimeSpan.FromMilliseconds(20));
            bool tracked = tracker.TryGetObjectState(out ObjectState state);
            if (tracker.FramesProcessed == frames)
            {
                continue;
            }
            frames = tracker.FramesProcessed;
            string seen = tracker.LastDetections.Count == 0 ? "no tags"
                : string.Join(", ", tracker.LastDetections.Select(d => $"id {d.Id} (margin {d.DecisionMargin:F0}, hamming {d.Hamming}, pose error {d.PoseError:E1} m²)"));
            string pose = tracked
                ? $"{tracker.Target.Object} at ({state.Position.X:F3}, {state.Position.Y:F3}, {state.Position.Z:F3}) m, yaw {state.Orientation.ToRpy().Z * 180 / Math.PI:F1}°"
                : $"no pose ({tracker.LastMiss})";
            string error = tracked && truth?.Invoke() is Vec3 real ? $", {(state.Position - real).Length * 1000:F1} mm from ground truth" : "";
            output.WriteLine($"t {clock.Now.TotalSeconds:F3} s: {seen}; {pose}{error}; {tracker.LastProcessingTime.TotalMilliseconds:F1} ms");
        }
        output.WriteLine($"{tracker.FramesWithPose} of {tracker.FramesProcessed} frames gave a pose");
    }
}
