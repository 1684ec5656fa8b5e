namespace RobotBridge.Cli.Tests.Gym;

public class CheckEnvCommandTests
{
    private static (int Code, string Output, string Error) Run(params string[] args) => CliInvocation.Run(args);

    [Fact]
    public void A_registered_env_passes_and_the_report_says_so()
    {
        var (code, output, error) = Run("check-env", "PointMassGoal-v0", "--set", "image_size=8", "--steps", "60");
        Assert.True(code == 0, error + output);
        Assert.Contains("PointMassGoal-v0: passed", output);
    }

    [Fact]
    public void Lists_the_registered_ids()
    {
        var (code, output, _) = Run("check-env", "--list");
        Assert.Equal(0, code);
        Assert.Contains("PointMassGoalDense-v0", output);
        Assert.Contains("50 steps", output);
    }

    [Fact]
    public void Unknown_ids_and_bad_settings_fail_with_exit_code_1_and_a_reason()
    {
        var (code, _, error) = Run("check-env", "PointMassGoal-v9");
        Assert.Equal(1, code);
        Assert.Contains("PointMassGoal-v0", error);
        (code, _, error) = Run("check-env", "PointMassGoal-v0", "--set", "image_size=huge");
        Assert.Equal(1, code);
        Assert.Contains("image_size", error);
        (code, _, error) = Run("check-env", "PointMassGoal-v0", "--set", "nokey");
        Assert.Equal(1, code);
        Assert.Contains("key=value", error);
    }
}
