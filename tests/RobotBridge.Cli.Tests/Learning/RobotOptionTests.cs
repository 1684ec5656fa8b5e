using RobotBridge.Cli.Composition;
using RobotBridge.Gym.Registration;
using RobotBridge.Tasks;

namespace RobotBridge.Cli.Tests.Learning;

/// <summary>
/// <c>--robot</c> on <c>eval</c> and <c>bench tasks</c>: what each value stands for, and a bad value
/// refused in one line naming it before anything runs.
/// </summary>
public sealed class RobotOptionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rb-robot-option-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Each_robot_value_sets_the_body_and_its_supervision()
    {
        var trained = EnvOptions.Default.With(FetchEnvs.LatencyOption, "measured").With("safety", true);

        Assert.True(RobotChoice.TryApply("bare", trained, out EnvOptions? bare, out _));
        Assert.Equal("sim", bare.Get(FetchEnvs.RobotOption, ""));
        Assert.False(bare.Get("safety", true));
        Assert.Equal("none", bare.Get(FetchEnvs.LatencyOption, ""));
        Assert.Equal(0.0, bare.Get(FetchEnvs.JointNoiseOption, 1.0));

        Assert.True(RobotChoice.TryApply("sim", EnvOptions.Default, out EnvOptions? sim, out _));
        Assert.Equal("sim", sim.Get(FetchEnvs.RobotOption, ""));
        Assert.True(sim.Get("safety", false));

        Assert.True(RobotChoice.TryApply("SIM", trained, out EnvOptions? upper, out _));
        Assert.Equal("measured", upper.Get(FetchEnvs.LatencyOption, "")); // the trained latency stays on the supervised twin

        Assert.True(RobotChoice.TryApply("ws://localhost:9090", trained, out EnvOptions? served, out _));
        Assert.Equal("ws://localhost:9090", served.Get(FetchEnvs.RobotOption, ""));
        Assert.True(RobotChoice.TryParse("wss://fetch.lab:9090", out _, out _));
    }

    [Theory]
    [InlineData("mars")]
    [InlineData("")]
    [InlineData("http://localhost:9090")]
    [InlineData("ws://")]
    [InlineData("tcp://fetch:9090")]
    public void A_bad_robot_is_refused_naming_it(string robot)
    {
        Assert.False(RobotChoice.TryParse(robot, out _, out string? problem));
        Assert.Contains($"--robot \"{robot}\"", problem);
        Assert.Contains("bare, sim", problem);
    }

    [Fact]
    public void Eval_refuses_a_bad_robot_in_one_line_before_any_episode()
    {
        string policy = Path.Combine(_dir, "any.rbpolicy");
        File.WriteAllText(policy, "not read: the robots are checked first");
        var (code, output, error) = CliInvocation.Run("eval", policy, "FetchReachDeploy-v1", "--robot", "sim", "--robot", "marz");
        Assert.Equal(Program.UsageError, code);
        Assert.Equal("", output);
        Assert.Equal("robotbridge eval: --robot \"marz\" is not one of: bare, sim, or a rosbridge URL such as ws://localhost:9090", error.Trim());
    }

    [Fact]
    public void Bench_tasks_refuses_a_bad_family_or_robot_in_one_line()
    {
        var (code, _, error) = CliInvocation.Run("bench", "tasks", "--family", "v5", "--episodes", "1");
        Assert.Equal(Program.UsageError, code);
        Assert.Equal("robotbridge bench tasks: --family \"v5\" is not one of: v4, deploy", error.Trim());

        (code, _, error) = CliInvocation.Run("bench", "tasks", "--family", "deploy", "--episodes", "1", "--robot", "moon");
        Assert.Equal(Program.UsageError, code);
        Assert.Contains("--robot \"moon\"", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void Train_refuses_hyper_parameters_out_of_range()
    {
        foreach (var (option, value) in new[] { ("--gamma", "0"), ("--gamma", "1.5"), ("--tau", "-0.1"), ("--lr", "0"), ("--batch-size", "0") })
        {
            var (code, _, error) = CliInvocation.Run("train", "FetchReachDeploy-v1", option, value, "--out", Path.Combine(_dir, "never"));
            Assert.True(code == Program.UsageError, $"{option} {value}: exit {code}, {error}");
            Assert.Contains(option, error);
            Assert.False(Directory.Exists(Path.Combine(_dir, "never")), $"{option} {value} started a run");
        }
    }
}
