namespace RobotBridge.Cli.Tests.EndToEnd;

/// <summary><c>robotbridge bench e2e</c>, the command behind the README's end-to-end figures: it runs and
/// reports every figure (the numbers themselves are the benchmark's business, not the test's).</summary>
[Collection(RobotBridge.Cli.Tests.Quickstart.TorchCollection.Name)] // one real-time chain at a time: on 2 cores two starve each other
public sealed class EndToEndBenchCommandTests
{
    private static (int Code, string Output, string Error) Run(params string[] args) => CliInvocation.Run(args);

    [Fact]
    public void Bench_e2e_measures_command_to_motion_and_camera_age_through_a_served_twin()
    {
        var (code, output, error) = Run("bench", "e2e", "--seconds", "4", "--camera-width", "64"); // a small camera: the twin renders on the CPU here
        Assert.True(code == 0, output + error);
        Assert.Matches(@"\| command-to-motion [^|]+\| [1-9]\d* \| \d+\.\d ms \| \d+\.\d ms \|", output);
        Assert.Matches(@"\| camera frame age at the policy [^|]+\| [1-9]\d* \| \d+\.\d ms \|", output);
    }

    [Fact]
    public void Bench_e2e_refuses_a_robot_that_is_not_a_rosbridge_url()
    {
        var (code, _, error) = Run("bench", "e2e", "--robot", "http://fetch:9090");
        Assert.Equal(Program.UsageError, code);
        Assert.Contains("--robot must be a rosbridge URL such as ws://fetch:9090, got 'http://fetch:9090'", error);
    }
}
