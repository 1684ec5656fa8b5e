using RobotBridge.Ros.Fetch;

namespace RobotBridge.Ros.Tracking;

/// <summary>Where <see cref="RosObjectTracker"/> listens and when it stops trusting what it heard.</summary>
public sealed record RosObjectTrackerOptions
{
    /// <summary>The geometry_msgs/PoseStamped topic carrying the object's pose.</summary>
    public string Topic { get; init; } = FetchTopics.ObjectPose;

    /// <summary>The only frame_id accepted (a leading '/' is ignored, as tf1 did). The tracker never
    /// transforms: a pose in another frame is refused, not guessed at.</summary>
    public string Frame { get; init; } = FetchTopics.ObjectFrame;

    /// <summary>A pose measured longer ago than this counts as lost (TryGetObjectState is false).</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromSeconds(0.5);

    /// <summary>A jump between successive poses faster than this is a discontinuity (the object was
    /// picked up and put down, or the detector re-acquired it), not motion: the velocity restarts at
    /// zero instead of reporting a spike. Far above anything the arm can push an object to (~1 m/s).</summary>
    public double MaxPlausibleSpeed { get; init; } = 2.0;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Topic) || !Topic.StartsWith('/'))
        {
            throw new ArgumentException($"object pose topic \"{Topic}\" must be an absolute ROS name such as {FetchTopics.ObjectPose}");
        }
        if (string.IsNullOrWhiteSpace(Frame))
        {
            throw new ArgumentException("the object pose frame must not be empty");
        }
        if (StaleAfter <= TimeSpan.Zero || StaleAfter > TimeSpan.FromSeconds(10))
        {
            throw new ArgumentException($"object staleness bound {StaleAfter.TotalSeconds} s must be in (0, 10] s");
        }
        if (!double.IsFinite(MaxPlausibleSpeed) || MaxPlausibleSpeed <= 0)
        {
            throw new ArgumentException($"maximum plausible object speed {MaxPlausibleSpeed} m/s must be positive");
        }
    }
}
