using RobotBridge.Gym.Registration;
using RobotBridge.Robots;
using RobotBridge.Safety;
using RobotBridge.Sim.Twin;
using RobotBridge.Tasks;

namespace RobotBridge.Sim.Tasks;

/// <summary>
/// Serves <c>robot = "sim"</c>: a fresh lockstep <see cref="FetchTwin"/> per env, with the head camera
/// rendering at the task's image size when the task has one (and off otherwise, so proprioceptive
/// training never pays for rendering). Options: <c>twin_seed</c> (domain randomisation and noise
/// seed); <c>safety</c> (true puts the Fetch safety supervisor in front of the twin exactly as in
/// deployment — `robotbridge deploy` always does — so its limits, speed caps included, apply and a
/// stop terminates the step with <c>info["safety"]</c>; the default, false, trains on the bare twin
/// like Gymnasium-Robotics); <c>safety_config</c> (a safety
/// JSON file for that supervisor; default the shipped fetch-safety.json).
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
        var twinOptions = new FetchTwinOptions
        {
            Seed = options.Get(TwinSeedOption, 0),
            Camera = spec.ImageSize > 0 ? HeadCameraOptions.Policy(spec.ImageSize) : HeadCameraOptions.Off,
        };
        var twin = new FetchTwin(twinOptions);
        var world = new TwinTaskWorld(twin, spec);
        if (!options.Get(SafetyOption, false))
        {
            return new FetchTaskBody(twin, world, Guard: null, Owner: twin);
        }
        try
        {
            string? configPath = options.Get<string?>(SafetyConfigOption, null);
            SafetyConfig config = configPath is null ? SafetyConfig.Default() : SafetyConfig.Load(configPath);
            var latch = new EStopLatch(new EStopLatchOptions { RobotTime = () => twin.SimTime, AuthorisedOperators = config.AuthorisedOperators });
            SafetySupervisor supervisor = ModelSafety.SuperviseFetch(twin, latch, config);
            return FetchTaskBody.Guarded(supervisor, world, owner: supervisor);
        }
        catch
        {
            twin.Dispose();
            throw;
        }
    }
}
