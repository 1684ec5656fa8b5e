using RobotBridge.Gym.Registration;
using RobotBridge.Model;
using RobotBridge.Robots;
using RobotBridge.Safety;
using RobotBridge.Sim.Twin;
using RobotBridge.Tasks;
using RobotBridge.Vision.Tracking;

namespace RobotBridge.Sim.Tasks;

/// <summary>
/// Serves <c>robot = "sim"</c>: a fresh lockstep <see cref="FetchTwin"/> per env, with the head camera
/// rendering at the task's image size when the task has one (and off otherwise, so proprioceptive
/// training never pays for rendering). Options: <c>twin_seed</c> (domain randomisation and noise
/// seed); <c>safety</c> (true puts the Fetch safety supervisor in front of the twin exactly as in
/// deployment — `robotbridge deploy` always does — so its limits, speed caps included, apply and a
/// stop terminates the step with <c>info["safety"]</c>; the default, false, trains on the bare twin
/// like Gymnasium-Robotics); <c>safety_config</c> (a safety
/// JSON file for that supervisor; default the shipped fetch-safety.json); <c>object_tracker</c>
/// (<c>truth</c>, the default, or <c>camera</c>: the object's AprilTag seen by the 640x480 head camera,
/// the tracker a real Fetch uses) and <c>tag_config</c> (its JSON; default the shipped fetch-tags.json);
/// <c>training_operator</c> (with <c>safety</c>: the body's <see cref="SimulationOperator"/> may reset the
/// latch, so training goes on after a stop; see <see cref="FetchEnvs.TrainingOperatorOption"/>).
/// With the camera tracker behind a supervisor whose config bounds the camera's age
/// (<c>stale_camera_after</c>), a lost object trips a watchdog with the same bound.
/// </summary>
public sealed class SimFetchBodyProvider : IFetchBodyProvider
{
    public const string Name = "sim";
    public const string TwinSeedOption = "twin_seed";
    public const string SafetyOption = "safety";
    public const string SafetyConfigOption = "safety_config";

    public bool CanServe(string robot) => string.Equals(robot, Name, StringComparison.OrdinalIgnoreCase);

    public FetchTaskBody Create(string robot, FetchTaskSpec spec, EnvOptions options)
    {
        bool camera = spec.HasObject && ObjectTrackerChoice.From(options) == ObjectTrackerKind.Camera;
        CameraTrackerConfig? tags = camera ? CameraTracking.LoadTags(options) : null;
        int seed = options.Get(TwinSeedOption, 0);
        bool measuredLatency = MeasuredLatency(options);
        double jointNoise = options.Get(FetchEnvs.JointNoiseOption, 0.0);
        if (!double.IsFinite(jointNoise) || jointNoise < 0 || jointNoise > 0.1)
        {
            throw new Gym.InvalidEnvArgumentException($"env option \"{FetchEnvs.JointNoiseOption}\" = {jointNoise} must be in [0, 0.1] rad");
        }
        var twinOptions = new FetchTwinOptions
        {
            Seed = seed,
            // Positions only: the Fetch's velocities come filtered from its encoders' differences.
            Noise = jointNoise > 0 ? new ObservationNoise(jointNoise, 0) : ObservationNoise.None,
            // The tracker needs the real camera's stream; a camera task's small image is resized from it.
            Camera = camera ? HeadCameraOptions.Carmine with { Depth = false }
                : spec.ImageSize > 0 ? HeadCameraOptions.Policy(spec.ImageSize) : HeadCameraOptions.Off,
        };
        var twin = new FetchTwin(twinOptions);
        Action<Random>? drawEpisode = measuredLatency ? rng => DrawLatency(twin, rng) : null;
        ITaskWorld world = new TwinTaskWorld(twin, spec);
        if (!options.Get(SafetyOption, false))
        {
            if (tags is not null)
            {
                world = CameraWorld(world, twin, spec, tags, heartbeat: null);
            }
            return new FetchTaskBody(twin, world, Guard: null, Owner: twin) { DrawEpisode = drawEpisode };
        }
        try
        {
            string? configPath = options.Get<string?>(SafetyConfigOption, null);
            SafetyConfig config = configPath is null ? SafetyConfig.Default() : SafetyConfig.Load(configPath);
            // Training's operator is authorised only on the latch of an env made for training; every other
            // twin's latch knows the config's operators alone, as a real robot's does.
            bool trainingOperator = options.Get(FetchEnvs.TrainingOperatorOption, false);
            IReadOnlyCollection<string> operators = trainingOperator
                ? [.. config.AuthorisedOperators, SimulationOperator.OperatorId]
                : config.AuthorisedOperators;
            var latch = new EStopLatch(new EStopLatchOptions { RobotTime = () => twin.SimTime, AuthorisedOperators = operators });
            SafetySupervisor supervisor = ModelSafety.SuperviseFetch(twin, latch, config);
            if (tags is not null)
            {
                var heartbeat = config.StaleCameraAfter is double bound ? supervisor.AddHeartbeat("object tracker", TimeSpan.FromSeconds(bound)) : null;
                world = CameraWorld(world, supervisor, spec, tags, heartbeat);
            }
            return FetchTaskBody.Guarded(supervisor, world, owner: supervisor) with
            {
                DrawEpisode = drawEpisode,
                SimulationOperator = trainingOperator ? new SimulationOperator(latch) : null,
            };
        }
        catch
        {
            twin.Dispose();
            throw;
        }
    }

    /// <summary>The <c>latency</c> option: <c>measured</c> (a latency drawn per episode, <see cref="MeasuredLatency(double)"/>)
    /// or <c>none</c>.</summary>
    public static bool MeasuredLatency(EnvOptions options)
    {
        string value = options.Get(FetchEnvs.LatencyOption, "none");
        return value.ToLowerInvariant() switch
        {
            "none" => false,
            "measured" => true,
            _ => throw new Gym.InvalidEnvArgumentException($"env option \"{FetchEnvs.LatencyOption}\" = \"{value}\" is not one of: none, measured"),
        };
    }

    /// <summary>Command → motion latency over rosbridge, measured by <c>bench e2e</c>: p50 18–31 ms. A total
    /// uniform in that range at <paramref name="u"/> ∈ [0, 1), whole milliseconds, split evenly between
    /// the command and the joint state's age.</summary>
    public static (TimeSpan Command, TimeSpan Observation) MeasuredLatency(double u)
    {
        double totalMs = Math.Round(18 + 13 * u);
        var half = TimeSpan.FromMilliseconds(Math.Floor(totalMs / 2));
        return (TimeSpan.FromMilliseconds(totalMs) - half, half);
    }

    private static void DrawLatency(FetchTwin twin, Random episode)
    {
        var (command, observation) = MeasuredLatency(episode.NextDouble());
        twin.SetLatency(command, observation);
    }

    private static TrackedTaskWorld CameraWorld(ITaskWorld truth, IRobot robot, FetchTaskSpec spec, CameraTrackerConfig tags, IHeartbeatSink? heartbeat) =>
        new(truth, new CameraObjectTracker(robot, FetchModel.Load(), tags, CameraTracking.ObjectName(spec), heartbeat), robot.Clock);
}
