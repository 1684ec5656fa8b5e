using System.Text.Json;
using RobotBridge.Tests.Recording;

namespace RobotBridge.Tests.Launch;

[Trait("Category", "Peer")]  // runs a ROS/urdfdom tool: not in the fast lane
public sealed class Ros1LaunchFileTests : IDisposable
{
    private static readonly string RobotLaunch = LaunchConfig.RepositoryFile("launch/fetch_robot.launch");
    private static readonly string GazeboLaunch = LaunchConfig.RepositoryFile("launch/fetch_gazebo.launch");
    private static readonly string RosbridgeLaunch = LaunchConfig.RepositoryFile("launch/rosbridge.launch");
    private readonly string _directory = Directory.CreateTempSubdirectory("robotbridge-launch-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Roslaunch_lists_the_robot_side_nodes()
    {
        var nodes = RosTool.Run("roslaunch", ["--nodes", RobotLaunch]).EnsureSuccess("roslaunch --nodes")
            .Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(
            ["/rosbridge_websocket", "/rosapi", "/head_camera/rgb/image_throttle", "/head_camera/rgb/image_compress",
             "/head_camera/depth_registered/image_throttle", "/software_runstop"],
            nodes);
    }

    [Fact]
    public void Roslaunch_dump_params_shows_the_rosbridge_settings_the_bridge_expects()
    {
        string dump = RosTool.Run("roslaunch", ["--dump-params", RobotLaunch]).EnsureSuccess("roslaunch --dump-params").Stdout;

        Assert.Contains("/rosbridge_websocket/port: 9090\n", dump);
        Assert.Contains("/rosbridge_websocket/bson_only_mode: false\n", dump);
        Assert.Contains("/rosbridge_websocket/max_message_size: 10000000\n", dump);
        Assert.Contains("/rosbridge_websocket/use_compression: false\n", dump);
        Assert.Contains("/rosbridge_websocket/websocket_ping_interval: 1.0\n", dump);
        Assert.Contains("/head_camera/rgb/image_throttled/compressed/format: jpeg\n", dump);
        Assert.Contains("/head_camera/rgb/image_throttled/compressed/jpeg_quality: 80\n", dump);
    }

    [Fact]
    public void Parameters_have_the_types_rosbridge_reads()
    {
        var config = LaunchConfig.Load(RobotLaunch);

        Assert.Equal(JsonValueKind.Number, config.Param("/rosbridge_websocket/port").ValueKind);
        Assert.Equal(9090, config.Param("/rosbridge_websocket/port").GetInt32());
        Assert.Equal(10_000_000, config.Param("/rosbridge_websocket/max_message_size").GetInt32());
        Assert.Equal(JsonValueKind.False, config.Param("/rosbridge_websocket/bson_only_mode").ValueKind);
        Assert.Equal(JsonValueKind.False, config.Param("/rosbridge_websocket/authenticate").ValueKind);
        Assert.Equal("", config.Param("/rosbridge_websocket/address").GetString());
        Assert.Equal("[*]", config.Param("/rosapi/topics_glob").GetString());
    }

    [Fact]
    public void Head_camera_is_throttled_then_compressed_at_the_requested_rate()
    {
        var config = LaunchConfig.Load(RobotLaunch, null, "camera_hz:=5.0", "jpeg_quality:=60");

        var throttle = config.NodeNamed("/head_camera/rgb/image_throttle");
        Assert.Equal(("topic_tools", "throttle"), (throttle.Package, throttle.Type));
        Assert.Equal("messages image_raw 5.0 image_throttled", throttle.Args);
        var compress = config.NodeNamed("/head_camera/rgb/image_compress");
        Assert.Equal(("image_transport", "republish", "raw compressed"), (compress.Package, compress.Type, compress.Args));
        Assert.Contains(("in", "image_throttled"), compress.Remaps);
        Assert.Contains(("out", "image_throttled"), compress.Remaps);
        Assert.Equal(60, config.Param("/head_camera/rgb/image_throttled/compressed/jpeg_quality").GetInt32());
        Assert.Equal("messages image_raw 5.0 image_throttled", config.NodeNamed("/head_camera/depth_registered/image_throttle").Args);
    }

    [Fact]
    public void Software_runstop_disables_arm_base_and_gripper_and_can_be_left_to_the_robot()
    {
        var runstop = LaunchConfig.Load(RobotLaunch).NodeNamed("/software_runstop");
        Assert.Equal(("fetch_bringup", "software_runstop.py", "-a -b -g"), (runstop.Package, runstop.Type, runstop.Args));
        Assert.True(runstop.Respawn);

        var without = LaunchConfig.Load(RobotLaunch, null, "software_runstop:=false");
        Assert.DoesNotContain(without.Nodes, n => n.Name == "/software_runstop");
    }

    [Fact]
    public void Port_argument_reaches_rosbridge()
    {
        var config = LaunchConfig.Load(RosbridgeLaunch, null, "port:=9191");
        Assert.Equal(9191, config.Param("/rosbridge_websocket/port").GetInt32());
        Assert.Equal(("rosbridge_server", "rosbridge_websocket"),
            (config.NodeNamed("/rosbridge_websocket").Package, config.NodeNamed("/rosbridge_websocket").Type));
        Assert.Equal(("rosapi", "rosapi_node"), (config.NodeNamed("/rosapi").Package, config.NodeNamed("/rosapi").Type));
    }

    [Fact]
    public void Gazebo_variant_includes_the_fetch_gazebo_world_and_serves_it_over_rosbridge_without_runstop()
    {
        // fetch_gazebo is not installable here; a package directory with only the two world launch
        // files' argument lists lets roslaunch resolve $(find fetch_gazebo). Everything asserted
        // below comes from our launch files.
        string package = Path.Combine(_directory, "fetch_gazebo");
        Directory.CreateDirectory(Path.Combine(package, "launch"));
        File.WriteAllText(Path.Combine(package, "package.xml"),
            "<package format=\"2\"><name>fetch_gazebo</name><version>0.0.0</version><description>path stand-in</description>" +
            "<maintainer email=\"a@b.c\">t</maintainer><license>BSD</license></package>");
        foreach (string world in new[] { "simulation", "playground" })
        {
            File.WriteAllText(Path.Combine(package, "launch", world + ".launch"),
                "<launch><arg name=\"gui\" default=\"true\"/><arg name=\"headless\" default=\"false\"/><arg name=\"robot\" default=\"fetch\"/></launch>");
        }
        var environment = new Dictionary<string, string> { ["ROS_PACKAGE_PATH"] = $"{_directory}:/usr/share" };

        string files = RosTool.Run("roslaunch", ["--files", GazeboLaunch, "world:=playground"], environment: environment)
            .EnsureSuccess("roslaunch --files").Stdout;
        Assert.Contains(Path.Combine(package, "launch", "playground.launch"), files);
        Assert.Contains("rosbridge.launch", files);

        var config = LaunchConfig.Load(GazeboLaunch, environment);
        Assert.Equal(9090, config.Param("/rosbridge_websocket/port").GetInt32());
        Assert.Contains(config.Nodes, n => n.Name == "/head_camera/rgb/image_throttle");
        Assert.DoesNotContain(config.Nodes, n => n.Name == "/software_runstop");
        Assert.DoesNotContain(config.Nodes, n => n.Name.StartsWith("/head_camera/depth", StringComparison.Ordinal));
    }
}
