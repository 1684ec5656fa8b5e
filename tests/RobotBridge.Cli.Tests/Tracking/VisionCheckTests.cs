namespace RobotBridge.Cli.Tests.Tracking;

public class VisionCheckTests
{
    [Fact]
    public void Vision_check_on_the_twin_prints_the_tag_and_the_cube_pose_against_ground_truth()
    {
        var (code, output, error) = CliInvocation.Run("vision", "check", "--robot", "sim", "--seconds", "0.3");

        Assert.True(code == 0, error);
        Assert.Contains("id 0 (margin", output);
        Assert.Matches(@"mm from ground truth", output);
        Assert.Matches(@"[1-9]\d* of [1-9]\d* frames gave a pose", output);
    }

    [Fact]
    public void Vision_check_refuses_a_robot_that_is_neither_sim_nor_a_rosbridge_url_in_one_line()
    {
        var (code, output, error) = CliInvocation.Run("vision", "check", "--robot", "fetch.local");

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("ws://host:9090", error);
    }
}
