using System.Text.Json;

namespace RobotBridge.Cli.Tests.Model;

public class ModelCommandTests
{
    private static (int Code, string Output, string Error) Run(params string[] args) => CliInvocation.Run(args);

    [Fact]
    public void Prints_the_tree_and_the_limits_table_of_the_default_fetch()
    {
        var (code, output, error) = Run("model");
        Assert.True(code == 0, error);
        Assert.Contains("robot 'fetch'", output);
        Assert.Contains("└─ gripper_link  [gripper_axis: fixed]", output);
        Assert.Matches(@"shoulder_lift_joint\s+revolute\s+-1\.221\s+1\.518\s+1\.454\s+131\.76\s+1", output);
        Assert.Matches(@"torso_lift_joint\s+prismatic\s+0\s+0\.38615\s+0\.1\s+450\s+100", output);
    }

    [Fact]
    public void Fk_prints_the_pose_as_json_in_the_root_frame()
    {
        var (code, output, error) = Run("model", "fk", "--link", "gripper_link", "--joints", "torso_lift_joint=0.38615, shoulder_pan_joint=1.5707963267948966");
        Assert.True(code == 0, error);
        using JsonDocument doc = JsonDocument.Parse(output);
        JsonElement root = doc.RootElement;
        Assert.Equal("base_link", root.GetProperty("frame").GetString());
        double[] xyz = root.GetProperty("xyz").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        // Pan 90°: the straight arm (1.09545 m from the pan axis at x 0.03265) points left.
        Assert.Equal(0.03265, xyz[0], 9);
        Assert.Equal(1.09545, xyz[1], 9);
        Assert.Equal(1.17216, xyz[2], 9);
        double[] q = root.GetProperty("quaternion_xyzw").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(Math.Sqrt(0.5), q[2], 9);
        Assert.Equal(Math.Sqrt(0.5), q[3], 9);
        JsonElement matrix = root.GetProperty("matrix");
        Assert.Equal(4, matrix.GetArrayLength());
        Assert.Equal(1.09545, matrix[1][3].GetDouble(), 9);
        Assert.Equal(1.0, matrix[3][3].GetDouble());
    }

    [Theory]
    [InlineData("--link", "no_such_link", "has no link 'no_such_link'")]
    [InlineData("--joints", "elbow=1", "has no joint variable 'elbow'")]
    [InlineData("--joints", "elbow_flex_joint=abc", "not a finite number")]
    [InlineData("--joints", "elbow_flex_joint=3", "outside its limits [-2.251, 2.251]")]
    public void Fk_rejects_bad_input_with_a_clear_message(string option, string value, string fragment)
    {
        string[] args = option == "--link" ? ["model", "fk", option, value] : ["model", "fk", "--link", "gripper_link", option, value];
        var (code, _, error) = Run(args);
        Assert.Equal(1, code);
        Assert.Contains(fragment, error);
    }

    [Fact]
    public void Json_describes_the_whole_model()
    {
        var (code, output, error) = Run("model", "--json");
        Assert.True(code == 0, error);
        using JsonDocument doc = JsonDocument.Parse(output);
        JsonElement root = doc.RootElement;
        Assert.Equal(26, root.GetProperty("links").GetArrayLength());
        Assert.Equal(25, root.GetProperty("joints").GetArrayLength());
        JsonElement torso = root.GetProperty("joints").EnumerateArray().Single(j => j.GetProperty("name").GetString() == "torso_lift_joint");
        Assert.Equal("prismatic", torso.GetProperty("type").GetString());
        Assert.Equal(0.38615, torso.GetProperty("limit").GetProperty("upper").GetDouble());
        JsonElement gripper = root.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("name").GetString() == "gripper_link");
        Assert.Equal(1.5175, gripper.GetProperty("inertial").GetProperty("mass").GetDouble());
        Assert.Equal("box", gripper.GetProperty("collisions")[0].GetProperty("geometry").GetProperty("type").GetString());
    }

    [Fact]
    public void A_broken_urdf_is_reported_with_file_and_line()
    {
        string path = Path.Combine(Path.GetTempPath(), $"bad-{Environment.ProcessId}.urdf");
        File.WriteAllText(path, "<robot name=\"r\">\n<link name=\"a\"/>\n<joint name=\"j\" type=\"spring\"><parent link=\"a\"/><child link=\"a\"/></joint>\n</robot>");
        try
        {
            var (code, _, error) = Run("model", "--urdf", path);
            Assert.Equal(1, code);
            Assert.Contains($"{path}:3: joint 'j': unknown joint type 'spring'", error);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
