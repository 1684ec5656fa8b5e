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
/// with the same bound, as on the twin. Each object task episode has the object placed by the operator through
/// <paramref name="prompt"/>, or, with <c>object_placement=twin</c>, by the twin <c>robotbridge serve</c> serves
/// (<see cref="TwinObjectPlacement"/>; nobody need be there).
/// </summary>
public sealed class RosFetchBodyProvider(IOperatorPrompt? prompt = null, IObjectTracker? tracker = null, CameraTrackerFactory? cameraTracker = null) : IFetchBodyProvider
{
    public const string CameraTopicOption = "camera_topic";
    public const string SafetyConfigOption = "safety_config";
    public const string LinkTimeoutOption = "link_timeout";
    public const string ObjectTopicOption = "object_topic";
    public const string ObjectStaleAfterOption = "object_stale_after";
    public const string ObjectPlacementOption = "object_placement";

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
        bool twinPlacement = TwinPlacement(options) && spec.HasObject;
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
        TwinObjectPlacement? twinPlacer = null;
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
            IObjectTracker? objectTracker = tracker ?? ownTracker;
            if (twinPlacement && objectTracker is not null)
            {
                twinPlacer = new TwinObjectPlacement(fetch.Client, objectTracker, fetch.Clock);
            }
            IObjectPlacement? placement = twinPlacer is not null ? twinPlacer : prompt is null ? null : new OperatorPlacement(prompt);
            var world = new RobotTaskWorld(supervisor, spec, model, objectTracker, placement, guard: supervisor);
            return FetchTaskBody.Guarded(supervisor, world,
                owner: ownTracker is null && twinPlacer is null ? supervisor : new TrackedBody([twinPlacer, ownTracker as IDisposable], supervisor));
        }
        catch
        {
            twinPlacer?.Dispose();
            (ownTracker as IDisposable)?.Dispose();
            fetch.Dispose();
            throw;
        }
    }

    /// <summary>The <c>object_placement</c> option: <c>operator</c> (the default: a person is asked) or <c>twin</c>.</summary>
    private static bool TwinPlacement(EnvOptions options)
    {
        string value = options.Get(ObjectPlacementOption, "operator");
        return value.ToLowerInvariant() switch
        {
            "operator" => false,
            "twin" => true,
            _ => throw new Gym.InvalidEnvArgumentException(
                $"env option \"{ObjectPlacementOption}\" = \"{value}\" is not one of: operator (a person places the object), twin (robotbridge serve's twin does)"),
        };
    }

    /// <summary>The tracker and placement this provider made go with the body, before the connection they share.</summary>
    private sealed class TrackedBody(IDisposable?[] parts, IDisposable supervisor) : IDisposable
    {
        public void Dispose()
        {
            foreach (IDisposable? part in parts)
            {
                part?.Dispose();
            }
            supervisor.Dispose();
        }
    }
}
