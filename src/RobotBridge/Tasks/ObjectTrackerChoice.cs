using RobotBridge.Gym;
using RobotBridge.Gym.Registration;

namespace RobotBridge.Tasks;

/// <summary>Where an object task learns the object's pose.</summary>
public enum ObjectTrackerKind
{
    /// <summary>The body's own source: the twin's ground truth (the training default), or on a rosbridge
    /// robot the object pose topic.</summary>
    Truth,

    /// <summary>AprilTag on the object seen by the head camera (RobotBridge.Vision): what a real Fetch
    /// has, and on the twin the whole render-detect-estimate chain.</summary>
    Camera,
}

/// <summary>The env options <c>object_tracker</c> (<c>truth</c>, the default, or <c>camera</c>) and
/// <c>tag_config</c> (the camera tracker's JSON; default the shipped fetch-tags.json).</summary>
public static class ObjectTrackerChoice
{
    public const string Option = "object_tracker";
    public const string TagConfigOption = "tag_config";

    public static ObjectTrackerKind From(EnvOptions options)
    {
        string value = options.Get(Option, "truth");
        return value.ToLowerInvariant() switch
        {
            "truth" => ObjectTrackerKind.Truth,
            "camera" => ObjectTrackerKind.Camera,
            _ => throw new InvalidEnvArgumentException($"env option \"{Option}\" = \"{value}\" is not one of: truth, camera"),
        };
    }
}

/// <summary>A body's episode set-up with the object's pose from another tracker (the camera's on the
/// twin): <see cref="PrepareEpisode"/> goes to <paramref name="inner"/>, object states to
/// <paramref name="tracker"/>, which is disposed with it when disposable. An episode starts only once the
/// tracker has measured the object where it was placed (stamp at or after the placement on
/// <paramref name="clock"/>): the first observation is never a pose from before the episode.</summary>
public sealed class TrackedTaskWorld(ITaskWorld inner, IObjectTracker tracker, Robots.IRobotClock clock) : ITaskWorld
{
    public IObjectTracker Tracker => tracker;

    /// <summary>The body's own world (the twin's ground truth), to measure the tracker against.</summary>
    public ITaskWorld Inner => inner;

    public void PrepareEpisode(ReadOnlySpan<double> startJoints, Model.Vec3? objectPosition, CancellationToken cancellationToken = default)
    {
        inner.PrepareEpisode(startJoints, objectPosition, cancellationToken);
        TimeSpan placed = clock.Now;
        if (objectPosition is not null && !(tracker.TryGetObjectState(out ObjectState state) && state.Stamp >= placed))
        {
            throw new TaskResetException($"the object tracker does not see the object where it was placed at {objectPosition} " +
                $"({tracker}); check the view with robotbridge vision check");
        }
    }

    public bool TryGetObjectState(out ObjectState state) => tracker.TryGetObjectState(out state);

    public void Dispose()
    {
        (tracker as IDisposable)?.Dispose();
        inner.Dispose();
    }
}

/// <summary>Builds the camera object tracker (<c>object_tracker=camera</c>) for a body: it reads frames and
/// joint states from <paramref name="robot"/> (the supervisor, normally) and beats
/// <paramref name="heartbeat"/> on every fresh pose. Supplied by the program, since the detector lives in
/// RobotBridge.Vision (native libapriltag), which the core and the bodies do not reference.</summary>
public delegate IObjectTracker CameraTrackerFactory(Robots.IRobot robot, FetchTaskSpec spec, EnvOptions options, Safety.IHeartbeatSink? heartbeat);
