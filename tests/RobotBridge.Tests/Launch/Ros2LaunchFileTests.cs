using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace RobotBridge.Tests.Launch;

/// <summary>
/// The ROS 2 launch file cannot be run here (no ROS 2); these tests hold it to the ROS 2 XML launch
/// format (launch/node/param/remap/arg with exec, $(var …) substitutions of declared args, no ROS 1
/// attributes) and to the settings the bridge needs.
/// </summary>
public class Ros2LaunchFileTests
{
    private static readonly XElement Launch =
        XDocument.Load(LaunchConfig.RepositoryFile("launch/rosbridge_ros2.launch.xml")).Root!;

    private static XElement Node(string name) =>
        Launch.Elements("node").Single(n => (string?)n.Attribute("name") == name);

    private static string Param(XElement node, string name) =>
        (string?)node.Elements("param").SingleOrDefault(p => (string?)p.Attribute("name") == name)?.Attribute("value")
        ?? throw new Xunit.Sdk.XunitException($"node {node.Attribute("name")} has no param {name}");

    private static string DefaultOf(string arg) =>
        (string)Launch.Elements("arg").Single(a => (string?)a.Attribute("name") == arg).Attribute("default")!;

    [Fact]
    public void Uses_only_ros2_launch_xml_elements_and_attributes()
    {
        Assert.Equal("launch", Launch.Name.LocalName);
        var allowed = new HashSet<string> { "arg", "node", "param", "remap", "include", "group", "let" };
        Assert.All(Launch.Descendants(), e => Assert.Contains(e.Name.LocalName, allowed));
        foreach (XElement node in Launch.Elements("node"))
        {
            Assert.NotNull(node.Attribute("pkg"));
            Assert.NotNull(node.Attribute("exec"));
            Assert.Null(node.Attribute("type")); // ROS 1 spelling
        }
        Assert.DoesNotContain("$(arg ", Launch.ToString());
    }

    [Fact]
    public void Every_substitution_names_a_declared_argument()
    {
        var declared = Launch.Elements("arg").Select(a => (string)a.Attribute("name")!).ToHashSet();
        var used = Regex.Matches(Launch.ToString(), @"\$\((\w[\w-]*) ([^)]*)\)").Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
        Assert.NotEmpty(used);
        Assert.All(used, u =>
        {
            Assert.Equal("var", u.Item1);
            Assert.Contains(u.Item2, declared);
        });
    }

    [Fact]
    public void Rosbridge_runs_calls_and_goals_in_threads_on_port_9090_with_binary_frames_allowed()
    {
        XElement rosbridge = Node("rosbridge_websocket");
        Assert.Equal(("rosbridge_server", "rosbridge_websocket"), ((string)rosbridge.Attribute("pkg")!, (string)rosbridge.Attribute("exec")!));
        Assert.Equal("$(var port)", Param(rosbridge, "port"));
        Assert.Equal("9090", DefaultOf("port"));
        Assert.Equal("10000000", DefaultOf("max_message_size"));
        Assert.Equal("true", Param(rosbridge, "call_services_in_new_thread"));
        Assert.Equal("true", Param(rosbridge, "send_action_goals_in_new_thread"));
        Assert.Equal("false", Param(rosbridge, "bson_only_mode"));
        Assert.Equal(("rosapi", "rosapi_node"), ((string)Node("rosapi").Attribute("pkg")!, (string)Node("rosapi").Attribute("exec")!));
    }

    [Fact]
    public void Head_camera_is_throttled_and_compressed()
    {
        XElement throttle = Node("head_camera_throttle");
        Assert.Equal("messages $(var image_topic) $(var camera_hz) $(var throttled_topic)", (string)throttle.Attribute("args")!);
        Assert.Equal("/head_camera/rgb/image_raw", DefaultOf("image_topic"));
        XElement compress = Node("head_camera_compress");
        Assert.Equal("raw compressed", (string)compress.Attribute("args")!);
        Assert.Contains(compress.Elements("remap"), r => (string?)r.Attribute("from") == "in" && (string?)r.Attribute("to") == "$(var throttled_topic)");
    }
}
