namespace RobotBridge.Recording.Messages;

/// <summary>
/// The standard ROS 1 message types an episode bag uses, with their .msg texts (comments left out:
/// they do not change the md5sum). Checked against Debian's <c>rosmsg md5</c> in the tests.
/// </summary>
public static class RosMessageTypes
{
    private static readonly Dictionary<string, string> MsgTexts = new(StringComparer.Ordinal)
    {
        ["std_msgs/Header"] = "uint32 seq\ntime stamp\nstring frame_id",
        ["std_msgs/String"] = "string data",
        ["std_msgs/Float64"] = "float64 data",
        ["std_msgs/MultiArrayDimension"] = "string label\nuint32 size\nuint32 stride",
        ["std_msgs/MultiArrayLayout"] = "MultiArrayDimension[] dim\nuint32 data_offset",
        ["std_msgs/Float64MultiArray"] = "MultiArrayLayout layout\nfloat64[] data",
        ["sensor_msgs/JointState"] =
            "Header header\n\nstring[] name\nfloat64[] position\nfloat64[] velocity\nfloat64[] effort",
        ["sensor_msgs/Image"] =
            "Header header\nuint32 height\nuint32 width\nstring encoding\nuint8 is_bigendian\nuint32 step\nuint8[] data",
        ["diagnostic_msgs/KeyValue"] = "string key\nstring value",
        ["diagnostic_msgs/DiagnosticStatus"] =
            "byte OK=0\nbyte WARN=1\nbyte ERROR=2\nbyte STALE=3\n\nbyte level\nstring name\nstring message\nstring hardware_id\nKeyValue[] values",
    };

    public static RosMessageType String { get; } = RosMessageType.FromDefinitions("std_msgs/String", MsgTexts);
    public static RosMessageType Float64 { get; } = RosMessageType.FromDefinitions("std_msgs/Float64", MsgTexts);
    public static RosMessageType Float64MultiArray { get; } = RosMessageType.FromDefinitions("std_msgs/Float64MultiArray", MsgTexts);
    public static RosMessageType JointState { get; } = RosMessageType.FromDefinitions("sensor_msgs/JointState", MsgTexts);
    public static RosMessageType Image { get; } = RosMessageType.FromDefinitions("sensor_msgs/Image", MsgTexts);
    public static RosMessageType DiagnosticStatus { get; } = RosMessageType.FromDefinitions("diagnostic_msgs/DiagnosticStatus", MsgTexts);

    /// <summary>Every type above, for tests and tools.</summary>
    public static IReadOnlyList<RosMessageType> All { get; } =
        [String, Float64, Float64MultiArray, JointState, Image, DiagnosticStatus];
}
