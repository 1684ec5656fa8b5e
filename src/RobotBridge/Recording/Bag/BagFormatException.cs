namespace RobotBridge.Recording.Bag;

/// <summary>A bag file is not valid ROS bag 2.0 (or uses a feature this reader does not support).
/// The message names the file and the byte offset.</summary>
public sealed class BagFormatException(string message) : Exception(message);
