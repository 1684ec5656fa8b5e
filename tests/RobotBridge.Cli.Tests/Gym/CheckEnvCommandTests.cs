using RobotBridge.Ros.Fetch;
using RobotBridge.Ros.Server;
using RobotBridge.Sim.Twin;

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
    public async Task On_a_wall_clock_body_the_determinism_clauses_are_skipped_and_the_report_says_so()
    {
        // The twin served over rosbridge runs on the wall clock, as a real Fetch does.
        using var twin = new FetchTwin(new FetchTwinOptions { ClockMode = TwinClockMode.RealTime, Camera = HeadCameraOptions.Off });
        await using var server = new RosbridgeServer(new RosbridgeServerOptions { Port = 0 });
        server.Start();
        using var node = new FetchRobotNode(server, twin);
        // A 1 s stale-state bound, as the served-twin tests use: two shared cores can stall 200 ms.
        using var safety = RelaxedSafetyConfig.WithStaleStateAfter(1.0);
        string config = safety.Path;
        var (code, output, error) = await Task.Run(() => Run("check-env", "FetchReach-v4", "--set", $"robot={server.Uri}",
            "--set", $"safety_config={config}", "--set", "link_timeout=2", "--steps", "10"));
        Assert.True(code == 0, error + output);
        Assert.Contains("SKIP [reset.seed-determinism] the body runs on a wall clock", output);
        Assert.Contains("SKIP [step.determinism] the body runs on a wall clock", output);
        Assert.DoesNotContain("determinism]", string.Join("\n", output.Split('\n').Where(l => l.Contains("FAIL", StringComparison.Ordinal))));
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
