using RobotBridge.Gym;
using RobotBridge.Gym.Spaces;
using RobotBridge.Learning;
using RobotBridge.Learning.Envs;
using RobotBridge.Learning.Policies;
using RobotBridge.Cli.Commands;
using RobotBridge.Learning.Torch;

namespace RobotBridge.Cli.Tests.Replay;

/// <summary>`robotbridge deploy --record` on the FetchReach twin, read back by Debian's rosbag and
/// replayed by `robotbridge replay`: the twin is deterministic, so the replay must match exactly.</summary>
public sealed class DeployRecordingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("robotbridge-deploy-record-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static (int Code, string Output, string Error) Run(params string[] args) => CliInvocation.Run(args);

    /// <summary>An untrained FetchReach policy file: deploy and replay do not care how good it is.</summary>
    private string ReachPolicy()
    {
        CliEnvironments.EnsureRegistered();
        using var env = GymEnvs.Make<DictValue, float[]>("FetchReach-v4");
        var spec = PolicyInputs.SpecFor(env, "FetchReach-v4", "sac-her", [16]);
        TorchRuntime.Configure(1, 1);
        using var policy = new SquashedGaussianPolicy(spec);
        string path = Path.Combine(_directory, "reach.rbpolicy");
        PolicyFile.Save(policy, path);
        return path;
    }

    [Fact]
    public void Deploy_records_episodes_that_rosbag_reads_and_replay_reproduces_exactly()
    {
        string bag = Path.Combine(_directory, "deploy.bag");
        var (code, output, error) = Run("deploy", ReachPolicy(), "--robot", "sim", "--episodes", "2", "--seed", "5", "--quiet", "--record", bag);
        Assert.True(code == 0, error + output);

        string info = RunRosbag(bag);
        Assert.Matches(@"topic: /episode/events\s+type: std_msgs/String\s+messages: 4\b", info);
        Assert.Matches(@"topic: /episode/action\s+type: std_msgs/Float64MultiArray\s+messages: 100\b", info);
        Assert.Matches(@"topic: /episode/observation\s+type: std_msgs/Float64MultiArray\s+messages: 102\b", info);
        Assert.Matches(@"topic: /episode/reward\s+type: std_msgs/Float64\s+messages: 100\b", info);

        var (replayCode, replay, replayError) = Run("replay", bag, "--every", "25", "--max-divergence", "1e-9", "--env-option", "safety=true");
        Assert.True(replayCode == 0, replayError + replay);
        Assert.Contains("episode 0 of FetchReach-v4 (seed 5, recorded on twin): 50 actions replayed", replay);
        Assert.Contains("episode 1 of FetchReach-v4 (seed none, recorded on twin): 50 actions replayed", replay);
        Assert.Equal(2, replay.Split("achieved_goal divergence max 0 m").Length - 1);
    }

    [Fact]
    public void A_deploy_bag_carries_the_tasks_own_step_period()
    {
        // FetchReachDeploy-v1 steps every 100 ms; its bags said period_s=0.04 (the v4 tasks' period).
        CliEnvironments.EnsureRegistered();
        using var env = GymEnvs.Make<DictValue, float[]>("FetchReachDeploy-v1");
        var spec = PolicyInputs.SpecFor(env, "FetchReachDeploy-v1", "sac-her", [16]);
        TorchRuntime.Configure(1, 1);
        using var policy = new SquashedGaussianPolicy(spec);
        string path = Path.Combine(_directory, "reach-deploy.rbpolicy");
        PolicyFile.Save(policy, path);
        string bag = Path.Combine(_directory, "deploy-v1.bag");
        var (code, output, error) = Run("deploy", path, "--robot", "sim", "--episodes", "1", "--quiet", "--record", bag);
        Assert.True(code == 0 || code == 3, error + output);
        var episode = Assert.Single(RobotBridge.Recording.EpisodeBagReader.Read(bag));
        Assert.Equal(TimeSpan.FromMilliseconds(100), episode.Info.ControlPeriod);
    }

    private static string RunRosbag(string bag)
    {
        var info = new System.Diagnostics.ProcessStartInfo("rosbag") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("info");
        info.ArgumentList.Add("--yaml");
        info.ArgumentList.Add(bag);
        info.Environment["ROS_HOME"] = Path.Combine(Path.GetTempPath(), "robotbridge-ros-home");
        using var process = System.Diagnostics.Process.Start(info)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, stderr);
        return stdout;
    }
}
