using RobotBridge.Gym.Registration;
using RobotBridge.Model;
using RobotBridge.Ros.Fetch;
using RobotBridge.Ros.Tracking;
using RobotBridge.Safety;
using RobotBridge.Tasks;

namespace RobotBridge.Ros.Tasks;

/// <summary>
/// Serves <c>robot = "ws://host:port"</c> (or wss://): a <see cref="RosFetch"/> over rosbridge — a real
/// Fetch, or the twin served by <c>robotbridge serve</c> — always behind the Fetch safety supervisor,
/// with episode set-up by <see cref="RobotTaskWorld"/> (safe move home, operator places objects).
/// Options: <c>camera_topic</c> (for camera tasks; default the throttled stream of launch/head_camera.launch,
/// /head_camera/rgb/image_throttled, which <c>robotbridge serve</c> publishes too),
/// <c>safety_config</c> (a safety JSON file; default the shipped fetch-safety.json), <c>link_timeout</c>
/// (seconds without joint states before the link counts as lost; default RosFetch's).
/// Object tasks read the object from the injected tracker or, without one, from a <see cref="RosObjectTracker"/>
/// on the same connection: <c>object_topic</c> (geometry_msgs/PoseStamped in base_link; default
/// <see cref="FetchTopics.ObjectPose"/>, which <c>robotbridge serve</c> publishes), <c>object_stale_after</c>
/// (seconds after which the object counts as lost; default 0.5). With <c>object_tracker=camera</c> the object
/// comes instead from the head camera (<c>camera_topic</c>, full resolution) through the tracker
/// <paramref name="cameraTracker"/> builds (the AprilTag tracker of RobotBridge.Vision, which the program
/// supplies); behind a supervisor whose config bounds the camera's age, a lost object trips a watchdog
/// with the same bound, as on the twin.
/// </summary>
public sealed class RosFetchBodyProvider(IOperatorPrompt? prompt = null, IObjectTracker? tracker = null, CameraTrackerFactory? cameraTracker = null) : IFetchBodyProvider
{
    public const string CameraTopicOption = "camera_topic";
    public const string SafetyConfigOption = "safety_config";
    public const string LinkTimeoutOption = "link_timeout";
    public const string ObjectTopicOption = "object_topic";
    public const string ObjectStaleAfterOption = "object_stale_after";

    /// <summary>How long the body waits for the robot's first complete joint state.</summary>
    public static readonly TimeSpan FirstStateTimeout = TimeSpan.FromSeconds(15);

    public bool CanServe(string robot) =>
        robot.StartsWith("ws://", StringComparison.OrdinalIgnoreCase) || robot.StartsWith("wss://", StringComparison.OrdinalIgnoreCase);

    public FetchTaskBody Create(string robot, FetchTaskSpec spec, EnvOptions options)
    {
        if (!Uri.TryCreate(robot, UriKind.Absolute, out Uri? uri))
        {
            throw new Gym.InvalidEnvArgumentException($"robot \"{robot}\" is not a valid rosbridge URL (expected ws://host:9090)");
        }
        bool camera = spec.HasObject && tracker is null && ObjectTrackerChoice.From(options) == ObjectTrackerKind.Camera;
        if (camera && cameraTracker is null)
        {
            throw new Gym.InvalidEnvArgumentException($"env option \"{ObjectTrackerChoice.Option}\" = \"camera\" needs the AprilTag tracker of RobotBridge.Vision, which this program does not provide");
        }
        var fetchOptions = new RosFetchOptions(uri)
        {
            CameraTopic = spec.ImageSize > 0 || camera ? options.Get(CameraTopicOption, FetchTopics.RgbThrottled) : null,
        };
        if (options.Get<double?>(LinkTimeoutOption, null) is double seconds)
        {
            fetchOptions = fetchOptions with { StaleAfter = TimeSpan.FromSeconds(seconds) };
        }
        RosObjectTrackerOptions? trackerOptions = null;
        if (spec.HasObject && tracker is null && !camera)
        {
            trackerOptions = new RosObjectTrackerOptions { Topic = options.Get(ObjectTopicOption, FetchTopics.ObjectPose) };
            if (options.Get<double?>(ObjectStaleAfterOption, null) is double stale)
            {
                trackerOptions = trackerOptions with { StaleAfter = TimeSpan.FromSeconds(stale) };
            }
            try
            {
                trackerOptions.Validate();
            }
            catch (ArgumentException e)
            {
                throw new Gym.InvalidEnvArgumentException(e.Message);
            }
        }
        var fetch = new RosFetch(fetchOptions);
        IObjectTracker? ownTracker = null;
        try
        {
            // Supervise only once the robot has spoken: a supervisor started before the first joint
            // state would latch a stale-state stop that nobody caused.
            if (!fetch.WaitForStateAsync(FirstStateTimeout).GetAwaiter().GetResult())
            {
                throw new TaskResetException($"no complete joint state from {uri} within {FirstStateTimeout.TotalSeconds:F0} s (link {fetch.Link}); is rosbridge running and the robot up?");
            }
            RobotModel model = FetchModel.Load();
            string? configPath = options.Get<string?>(SafetyConfigOption, null);
            SafetyConfig config = configPath is null ? SafetyConfig.Default() : SafetyConfig.Load(configPath);
            var latch = new EStopLatch(new EStopLatchOptions { RobotTime = () => fetch.Clock.Now, AuthorisedOperators = config.AuthorisedOperators });
            SafetySupervisor supervisor = ModelSafety.SuperviseFetch(fetch, latch, config, model);
            if (camera)
            {
                IHeartbeatSink? heartbeat = config.StaleCameraAfter is double bound ? supervisor.AddHeartbeat("object tracker", TimeSpan.FromSeconds(bound)) : null;
                ownTracker = cameraTracker!(supervisor, spec, options, heartbeat);
            }
            else if (trackerOptions is not null)
            {
                ownTracker = RosObjectTracker.For(fetch, trackerOptions);
            }
            var world = new RobotTaskWorld(supervisor, spec, model, tracker ?? ownTracker, prompt, guard: supervisor);
            return FetchTaskBody.Guarded(supervisor, world, owner: ownTracker is null ? supervisor : new TrackedBody(ownTracker, supervisor));
        }
        catch
        {
            (ownTracker as IDisposable)?.Dispose();
            fetch.Dispose();
            throw;
        }
    }

    /// <summary>The tracker this provider made goes with the body, before the connection it shares.</summary>
    private sealed class TrackedBody(IObjectTracker tracker, IDisposable supervisor) : IDisposable
    {
        public void Dispose()
        {
            (tracker as IDisposable)?.Dispose();
            supervisor.Dispose();
        }
    }
}
