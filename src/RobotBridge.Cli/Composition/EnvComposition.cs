using RobotBridge.Gym.Registration;
using RobotBridge.Ros.Tasks;
using RobotBridge.Sim.Tasks;
using RobotBridge.Tasks;
using RobotBridge.Vision.Tracking;

namespace RobotBridge.Cli.Composition;

/// <summary>
/// The application's composition root for envs: registers the Fetch tasks in the default registry
/// with every body this program can drive. Library code never picks a body; this is the one place.
/// </summary>
internal static class EnvComposition
{
    private static readonly Lazy<EnvRegistry> Composed = new(() =>
    {
        FetchEnvs.Register(EnvRegistry.Default, new FetchBodyProviders(BodyProviders()));
        return EnvRegistry.Default;
    });

    /// <summary>The default registry with the Fetch tasks registered (idempotent, thread-safe).</summary>
    public static EnvRegistry Registry => Composed.Value;

    private static IFetchBodyProvider[] BodyProviders() =>
    [
        new SimFetchBodyProvider(),
        new RosFetchBodyProvider(new ConsoleOperatorPrompt(Console.In, Console.Out), cameraTracker: CameraTracking.Create),
    ];
}
