using RobotBridge.TestSupport;

namespace RobotBridge.Cli.Tests.Tracking;

/// <summary><c>bench tracker</c> (a policy with ground truth vs the camera tracker on the same episodes) and
/// <c>eval --env-option</c>: a real run on the committed Push policy, and bad input refused in one line.</summary>
public class TrackerBenchCommandTests
{
    private static readonly string PushPolicy = RepoPaths.Of("policies", "FetchPushDeploy-v1.rbpolicy");

    [Fact]
    public void Bench_tracker_runs_the_same_episode_with_ground_truth_and_with_the_camera()
    {
        var (code, output, error) = CliInvocation.Run("bench", "tracker", PushPolicy, "FetchPushDeploy-v1", "--episodes", "1",
            "--env-option", "arm_posture=elbow-out");

        Assert.True(code == 0, $"exit {code}: {error}");
        string[] rows = output.Split('\n').Where(l => l.StartsWith("| sim |", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, rows.Length);
        Assert.StartsWith("| sim | truth |", rows[0]);
        string[] truth = Cells(rows[0]);
        Assert.Equal(["150/150", "150/150"], truth[5..7]); // ground truth: every step fresh
        Assert.Equal("150/150 (100 %)", truth[7]); // a pushed cube is never in the gripper: every step is before a grasp
        Assert.Equal(["0/0", "0/0"], truth[8..10]);
        Assert.Matches(@"^[01]/1 = \d+\.\d %$", truth[3]); // success judged on the twin's ground truth too
        Assert.StartsWith("| sim | camera |", rows[1]);
    }

    private static string[] Cells(string row) => row.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();

    [Fact]
    public void Bench_tracker_refuses_a_bad_robot_in_one_line()
    {
        var (code, output, error) = CliInvocation.Run("bench", "tracker", PushPolicy, "FetchPushDeploy-v1", "--robot", "moon");

        Assert.Equal(Program.UsageError, code);
        Assert.Equal("", output);
        Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith("robotbridge bench tracker: --robot \"moon\"", error.Trim());
    }

    [Fact]
    public void Eval_refuses_an_env_option_without_a_robot_in_one_line()
    {
        var (code, output, error) = CliInvocation.Run("eval", PushPolicy, "FetchPushDeploy-v1", "--env-option", "object_tracker=camera");

        Assert.Equal(Program.UsageError, code);
        Assert.Equal("", output);
        Assert.Equal("robotbridge eval: --env-option needs a --robot to apply to (e.g. --robot sim)", error.Trim());
    }
}
