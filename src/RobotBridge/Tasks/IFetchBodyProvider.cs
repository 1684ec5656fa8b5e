using RobotBridge.Gym.Registration;

namespace RobotBridge.Tasks;

/// <summary>
/// Makes the body a Fetch task runs on, chosen by the env option <c>robot</c>: "sim" for the MuJoCo
/// twin, a rosbridge URL (ws://host:9090) for a real Fetch or any served twin. The projects that own
/// a body (RobotBridge.Sim, RobotBridge.Ros) each provide one; the application composes them, so the
/// task code never knows which body it drives.
/// </summary>
public interface IFetchBodyProvider
{
    /// <summary>True if this provider serves <paramref name="robot"/> (the value of the robot option).</summary>
    bool CanServe(string robot);

    /// <summary>Creates the body for one env. <paramref name="options"/> carries any further settings
    /// (seed, camera size, safety config path…); the provider rejects settings it cannot honour.</summary>
    FetchTaskBody Create(string robot, FetchTaskSpec spec, EnvOptions options);
}

/// <summary>Asks each provider in turn; the first that serves the robot option makes the body.</summary>
public sealed class FetchBodyProviders(params IFetchBodyProvider[] providers) : IFetchBodyProvider
{
    public bool CanServe(string robot) => providers.Any(p => p.CanServe(robot));

    public FetchTaskBody Create(string robot, FetchTaskSpec spec, EnvOptions options)
    {
        foreach (var provider in providers)
        {
            if (provider.CanServe(robot))
            {
                return provider.Create(robot, spec, options);
            }
        }
        throw new Gym.InvalidEnvArgumentException(
            $"robot \"{robot}\" is not served here: use \"sim\" for the MuJoCo twin or a rosbridge URL such as ws://fetch:9090 " +
            "(a body is available only when its project is part of the application)");
    }
}
