using RobotBridge.Sim.Tests.Sim;

namespace RobotBridge.Sim.Tests.Examples;

/// <summary>
/// The examples/ programs the docs link to are built with the solution (a broken one fails the build);
/// the ones that need no peer process are also run here, so an example that builds but no longer works
/// fails the tests.
/// </summary>
public class ExampleProgramTests
{
    [Fact]
    public void GymBasics_runs_an_episode_on_the_twin_and_recomputes_its_reward()
    {
        string dll = RepoPaths.Of("examples", "GymBasics", "bin", "Release", "net10.0", "GymBasics.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution (-c Release) first");

        var (code, stdout, stderr) = ProcessRunner.Run("dotnet", dll);

        Assert.True(code == 0, $"GymBasics exited {code}: {stderr}");
        Assert.Contains("observation 10 dims", stdout);
        Assert.Contains("episode ended after 50 steps", stdout);
        // Relabelled with the goal it reached, a sparse Fetch reward is 0 (success).
        Assert.Contains("reward had the goal been where the gripper ended: 0", stdout);
    }

    [Fact]
    public void SupervisedPolicy_says_what_it_needs_when_the_policy_file_is_missing()
    {
        string dll = RepoPaths.Of("examples", "SupervisedPolicy", "bin", "Release", "net10.0", "SupervisedPolicy.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution (-c Release) first");

        var (code, _, stderr) = ProcessRunner.Run("dotnet", dll, "/nonexistent/policy.rbpolicy");

        Assert.Equal(2, code);
        Assert.StartsWith("usage: SupervisedPolicy POLICY_FILE", stderr);
    }
}
