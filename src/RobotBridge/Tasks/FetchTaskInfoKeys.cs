using RobotBridge.Gym;

namespace RobotBridge.Tasks;

/// <summary>Info keys the Fetch tasks add next to <see cref="InfoKeys"/>.</summary>
public static class FetchTaskInfoKeys
{
    /// <summary>Robot-clock time from sending the step's command to the state the observation was built from.</summary>
    public static readonly InfoKey<TimeSpan> CommandLatency = new("command_latency");

    /// <summary>Age of the camera image in the observation (camera variants only).</summary>
    public static readonly InfoKey<TimeSpan> ImageAge = new("image_age");

    /// <summary>The IK could not follow the action this step (target outside the reachable space).</summary>
    public static readonly InfoKey<bool> IkFailed = new("ik_failed");

    /// <summary>Object tasks: false when the object's state is not known this step (its tracker lost it or
    /// reports nothing fresh); the observation then repeats the last known pose.</summary>
    public static readonly InfoKey<bool> ObjectTracked = new("object_tracked");

    /// <summary>Object tasks: robot-clock age of the object pose in the observation (from when it was
    /// measured): the one-step lag, a camera pose held over a short occlusion, or a lost object's last pose
    /// growing older step by step.</summary>
    public static readonly InfoKey<TimeSpan> ObjectAge = new("object_age");

    /// <summary>True while the link to the robot is down (the step is truncated).</summary>
    public static readonly InfoKey<bool> LinkLost = new("link_lost");
}
