using RobotBridge.Model;

namespace RobotBridge.Tests.Model;

/// <summary>Each fault names the file, the line and what is wrong.</summary>
public class UrdfLoaderErrorTests
{
    private const string Source = "test.urdf";

    /// <summary>A two-link robot, one joint per line, so line numbers are easy to predict.</summary>
    private static string Robot(string joint, string extraLinks = "") =>
        "<robot name=\"r\">\n" +                          // line 1
        "  <link name=\"a\"/>\n" +                         // line 2
        "  <link name=\"b\"/>\n" +                         // line 3
        extraLinks +
        joint + "\n" +
        "</robot>\n";

    private static UrdfFormatException Fails(string xml) =>
        Assert.Throws<UrdfFormatException>(() => UrdfLoader.Parse(xml, Source));

    private static void AssertError(UrdfFormatException e, int line, string fragment)
    {
        Assert.Equal(Source, e.FilePath);
        Assert.Equal(line, e.Line);
        Assert.Contains(fragment, e.Problem);
        Assert.StartsWith($"{Source}:{line}: ", e.Message);
    }

    [Fact]
    public void Missing_parent_link() =>
        AssertError(Fails(Robot("  <joint name=\"j\" type=\"fixed\">\n    <parent link=\"nope\"/><child link=\"b\"/></joint>")),
            5, "parent link 'nope' is not defined");

    [Fact]
    public void Missing_child_link() =>
        AssertError(Fails(Robot("  <joint name=\"j\" type=\"fixed\"><parent link=\"a\"/><child link=\"zz\"/></joint>")),
            4, "child link 'zz' is not defined");

    [Fact]
    public void Two_roots() =>
        AssertError(Fails(Robot("  <joint name=\"j\" type=\"fixed\"><parent link=\"a\"/><child link=\"b\"/></joint>", "  <link name=\"c\"/>\n")),
            1, "2 root links ('a', 'c')");

    [Fact]
    public void Loop_through_two_parents() =>
        AssertError(Fails(Robot(
            "  <joint name=\"j1\" type=\"fixed\"><parent link=\"a\"/><child link=\"b\"/></joint>\n" +
            "  <joint name=\"j2\" type=\"fixed\"><parent link=\"b\"/><child link=\"a\"/></joint>")),
            5, "joints 'j1', 'j2' form a loop");

    [Fact]
    public void Loop_detached_from_the_root() =>
        AssertError(Fails(Robot(
            "  <joint name=\"j1\" type=\"fixed\"><parent link=\"b\"/><child link=\"c\"/></joint>\n" +
            "  <joint name=\"j2\" type=\"fixed\"><parent link=\"c\"/><child link=\"b\"/></joint>", "  <link name=\"c\"/>\n")),
            5, "part of a loop");

    [Fact]
    public void Unknown_joint_type() =>
        AssertError(Fails(Robot("  <joint name=\"j\" type=\"hinge\"><parent link=\"a\"/><child link=\"b\"/></joint>")),
            4, "unknown joint type 'hinge'");

    [Theory]
    [InlineData("0 abc 0", "'abc' is not a number")]
    [InlineData("0 NaN 0", "'NaN' is not a finite number")]
    [InlineData("0 0", "needs 3 numbers, found 2")]
    [InlineData("1e999 0 0", "not a finite number")]
    public void Bad_numbers(string xyz, string fragment) =>
        AssertError(Fails(Robot($"  <joint name=\"j\" type=\"fixed\"><parent link=\"a\"/><child link=\"b\"/>\n  <origin xyz=\"{xyz}\"/></joint>")),
            5, fragment);

    [Fact]
    public void Zero_axis() =>
        AssertError(Fails(Robot("  <joint name=\"j\" type=\"continuous\"><parent link=\"a\"/><child link=\"b\"/>\n\n  <axis xyz=\"0 0 0\"/></joint>")),
            6, "axis (0, 0, 0) is zero");

    [Fact]
    public void Lower_above_upper() =>
        AssertError(Fails(Robot("  <joint name=\"j\" type=\"revolute\"><parent link=\"a\"/><child link=\"b\"/>\n  <limit lower=\"1\" upper=\"-1\" effort=\"1\" velocity=\"1\"/></joint>")),
            5, "limit lower 1 is greater than upper -1");

    [Fact]
    public void Revolute_without_limit() =>
        AssertError(Fails(Robot("  <joint name=\"j\" type=\"revolute\"><parent link=\"a\"/><child link=\"b\"/></joint>")),
            4, "needs a <limit>");

    [Fact]
    public void Mimic_of_unknown_joint() =>
        AssertError(Fails(Robot("  <joint name=\"j\" type=\"continuous\"><parent link=\"a\"/><child link=\"b\"/>\n  <mimic joint=\"ghost\"/></joint>")),
            4, "mimic refers to joint 'ghost'");

    [Fact]
    public void Malformed_xml_names_the_line() =>
        AssertError(Fails("<robot name=\"r\">\n  <link name=\"a\">\n</robot>"), 3, "not well-formed XML");

    [Fact]
    public void Missing_file_is_a_format_error_naming_the_path()
    {
        var e = Assert.Throws<UrdfFormatException>(() => UrdfLoader.Load("/nonexistent/robot.urdf"));
        Assert.Equal("/nonexistent/robot.urdf", e.FilePath);
        Assert.Contains("cannot read", e.Problem);
    }

    [Fact]
    public void Negative_mass_and_bad_box() =>
        AssertError(Fails("<robot name=\"r\">\n<link name=\"a\"><inertial><mass value=\"-2\"/>\n<inertia ixx=\"1\" ixy=\"0\" ixz=\"0\" iyy=\"1\" iyz=\"0\" izz=\"1\"/></inertial></link>\n</robot>"),
            2, "mass -2 is negative");
}
