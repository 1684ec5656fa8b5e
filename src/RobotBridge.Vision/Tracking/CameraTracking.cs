using RobotBridge.Gym;
using RobotBridge.Gym.Registration;
using RobotBridge.Model;
using RobotBridge.Robots;
using RobotBridge.Safety;
using RobotBridge.Tasks;

namespace RobotBridge.Vision.Tracking;

/// <summary>The camera tracker an object task gets with <c>object_tracker=camera</c>, on any body: the
/// task's object (Slide's puck, else the cube) from the tag config the env options name
/// (<c>tag_config</c>; default the shipped fetch-tags.json). A <see cref="CameraTrackerFactory"/>.</summary>
public static class CameraTracking
{
    public static IObjectTracker Create(IRobot robot, FetchTaskSpec spec, EnvOptions options, IHeartbeatSink? heartbeat)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        return new CameraObjectTracker(robot, FetchModel.Load(), LoadTags(options), ObjectName(spec), heartbeat);
    }

    public static string ObjectName(FetchTaskSpec spec) => spec.Kind == FetchTaskKind.Slide ? "puck" : "cube";

    /// <summary>The tag config of <c>tag_config</c>, or the shipped one; a bad file is a bad env argument.</summary>
    public static CameraTrackerConfig LoadTags(EnvOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string? path = options.Get<string?>(ObjectTrackerChoice.TagConfigOption, null);
        try
        {
            return path is null ? CameraTrackerConfig.Default() : CameraTrackerConfig.Load(path);
        }
        catch (CameraTrackerConfigException e)
        {
            throw new InvalidEnvArgumentException(e.Message);
        }
    }
}
