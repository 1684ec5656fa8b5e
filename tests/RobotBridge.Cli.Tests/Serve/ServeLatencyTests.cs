using RobotBridge.Cli.Commands;

namespace RobotBridge.Cli.Tests.Serve;

/// <summary>Issue 17 (c): <c>serve --latency</c> injects the measured rosbridge command → motion latency.</summary>
public sealed class ServeLatencyTests
{
    [Fact]
    public void Latency_values_split_between_the_command_and_the_joint_state()
    {
        Assert.Equal((TimeSpan.Zero, TimeSpan.Zero), ServeCommand.ServedLatency("none", 0));
        Assert.Equal((TimeSpan.FromMilliseconds(15), TimeSpan.FromMilliseconds(15)), ServeCommand.ServedLatency("30", 0));
        Assert.Equal((TimeSpan.FromMilliseconds(32.5), TimeSpan.FromMilliseconds(32.5)), ServeCommand.ServedLatency("65", 0));
        var measured = ServeCommand.ServedLatency("measured", 3) ?? throw new Xunit.Sdk.XunitException("measured was refused");
        Assert.InRange((measured.Command + measured.Observation).TotalMilliseconds, 18, 31);
        Assert.Equal(measured, ServeCommand.ServedLatency("MEASURED", 3)); // drawn from the seed: repeatable
        Assert.Null(ServeCommand.ServedLatency("fast", 0));
        Assert.Null(ServeCommand.ServedLatency("-5", 0));
        Assert.Null(ServeCommand.ServedLatency("NaN", 0));
        Assert.Null(ServeCommand.ServedLatency("2000", 0));
    }

    [Fact]
    public void A_bad_latency_is_one_line_naming_the_option()
    {
        var (code, _, error) = CliInvocation.Run("serve", "--latency", "soon", "--port", "0", "--no-camera", "--seconds", "1");
        Assert.Equal(Program.UsageError, code);
        Assert.Contains("--latency must be none, measured or a total in ms", error);
        Assert.Contains("'soon'", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void The_banner_states_the_injected_latency()
    {
        var (code, output, _) = CliInvocation.Run("serve", "--latency", "40", "--port", "0", "--no-camera", "--object", "none", "--seconds", "1");
        Assert.Equal(0, code);
        Assert.Contains("latency: 40 ms command -> motion (20 ms on commands, 20 ms joint-state age)", output);
    }
}
