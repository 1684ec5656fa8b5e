using RobotBridge.Ros.Serialization;

namespace RobotBridge.Ros.Messages;

/// <summary>
/// A ROS message that writes and reads itself through the encoding-neutral
/// <see cref="RosWriter"/>/<see cref="RosReader"/>, so one description serves JSON and CBOR and
/// both dialects. Instances are mutable and meant to be reused: <see cref="Read"/> first resets
/// every field to its default (rosbridge fills missing fields with defaults).
/// </summary>
public interface IRosMessage
{
    /// <summary>Two-segment type name, e.g. <c>sensor_msgs/JointState</c>.</summary>
    string RosType { get; }

    // Named w and r, as every message's implementation names them: a message body is a column of
    // w.Field(...) / r.Field(...) calls, and the short names keep those columns readable.
    void Write(RosWriter w);

    void Read(RosReader r);
}

/// <summary>A goal, result or feedback message of an action; names the action type for actionlib's
/// wrapper messages (ROS 1) and the action ops (ROS 2).</summary>
public interface IActionPart : IRosMessage
{
    /// <summary>Two-segment action type, e.g. <c>control_msgs/FollowJointTrajectory</c>.</summary>
    static abstract string ActionType { get; }
}
