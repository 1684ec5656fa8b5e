using RobotBridge.Recording.Messages;

namespace RobotBridge.Tests.Recording;

[Trait("Category", "Peer")]  // runs a ROS/urdfdom tool: not in the fast lane
public class RosMessageTypeTests
{
    [Fact]
    public void Md5sums_match_what_ros_computes_from_the_installed_msg_files()
    {
        foreach (RosMessageType type in RosMessageTypes.All)
        {
            string rosmsg = RosTool.Run("rosmsg", ["md5", type.Name]).EnsureSuccess($"rosmsg md5 {type.Name}").Stdout.Trim();
            Assert.Equal(rosmsg, type.Md5Sum);
        }
    }

    [Fact]
    public void Full_definition_lists_each_embedded_type_once_after_a_separator()
    {
        string definition = RosMessageTypes.Float64MultiArray.Definition;
        string separator = new string('=', 80);
        Assert.StartsWith("MultiArrayLayout layout\nfloat64[] data\n" + separator + "\nMSG: std_msgs/MultiArrayLayout\n", definition);
        Assert.Contains(separator + "\nMSG: std_msgs/MultiArrayDimension\nstring label", definition);
        Assert.False(definition.EndsWith('\n'));
        Assert.Equal(2, RosMessageTypes.JointState.Definition.Split("MSG: std_msgs/Header").Length);
    }

    [Fact]
    public void Definitions_parse_with_genpy_to_the_same_md5sum()
    {
        // genpy builds a message class from the stored definition text, as rosbag does for types it
        // cannot import; its md5 must equal ours or readers reject the connection.
        const string script = """
            import sys, genpy.dynamic
            name, md5 = sys.argv[1], sys.argv[2]
            text = sys.stdin.read()
            cls = genpy.dynamic.generate_dynamic(name, text)[name]
            print(cls._md5sum)
            """;
        foreach (RosMessageType type in RosMessageTypes.All)
        {
            var result = RosTool.Run(RosTool.Python, ["-c", script, type.Name, type.Md5Sum], stdin: type.Definition)
                .EnsureSuccess($"genpy on {type.Name}");
            Assert.Equal(type.Md5Sum, result.Stdout.Trim());
        }
    }

    [Fact]
    public void Missing_embedded_definition_is_named()
    {
        var texts = new Dictionary<string, string> { ["my_msgs/Outer"] = "Inner inner" };
        var error = Assert.Throws<KeyNotFoundException>(() => RosMessageType.FromDefinitions("my_msgs/Outer", texts));
        Assert.Contains("my_msgs/Inner", error.Message);
    }
}
