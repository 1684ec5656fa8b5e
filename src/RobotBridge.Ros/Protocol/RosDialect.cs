namespace RobotBridge.Ros.Protocol;

/// <summary>
/// Which rosbridge flavour is on the other end. It decides how time fields are spelled
/// (ROS 1 <c>secs/nsecs</c>, ROS 2 <c>sec/nanosec</c>), whether headers carry <c>seq</c>,
/// how type names are written, and whether actions are actionlib topics or the action ops.
/// </summary>
public enum RosDialect
{
    Ros1,
    Ros2,
}

/// <summary>Dialect-dependent spellings.</summary>
public static class RosDialectExtensions
{
    /// <summary>
    /// The type name as the server expects it. Input is always the two-segment form
    /// (<c>sensor_msgs/JointState</c>); ROS 2 gets <c>sensor_msgs/msg/JointState</c>, because R1
    /// rejects three segments and R2 reports the three-segment form (reference §3.1).
    /// </summary>
    public static string TypeName(this RosDialect dialect, string twoSegment, string kind = "msg")
    {
        if (dialect == RosDialect.Ros1)
        {
            return twoSegment;
        }
        int slash = twoSegment.IndexOf('/');
        return slash < 0 || twoSegment.IndexOf('/', slash + 1) >= 0
            ? twoSegment
            : string.Concat(twoSegment.AsSpan(0, slash), "/", kind, twoSegment.AsSpan(slash));
    }

    /// <summary>Reduces <c>pkg/msg/Type</c> to <c>pkg/Type</c>; leaves other forms alone.</summary>
    public static string TwoSegment(string typeName)
    {
        var parts = typeName.Split('/');
        return parts.Length == 3 ? parts[0] + "/" + parts[2] : typeName;
    }
}
