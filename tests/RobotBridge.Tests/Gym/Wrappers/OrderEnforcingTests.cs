using RobotBridge.Gym;
using RobotBridge.Gym.Wrappers;

namespace RobotBridge.Tests.Gym.Wrappers;

public class OrderEnforcingTests
{
    [Fact]
    public void Step_before_reset_throws_reset_needed_and_works_after_reset()
    {
        using var env = new OrderEnforcing<double[], float[]>(new ProbeEnv());
        var e = Assert.Throws<ResetNeededException>(() => env.Step([0f, 0f]));
        Assert.Contains("before Reset", e.Message);
        Assert.Throws<ResetNeededException>(() => env.Render());
        env.Reset(seed: 1);
        Assert.Equal(1.0, env.Step([0.5f, 0f]).Observation[0]);
    }

    [Fact]
    public void Disposing_the_wrapper_disposes_the_inner_env()
    {
        var inner = new ProbeEnv();
        new OrderEnforcing<double[], float[]>(inner).Dispose();
        Assert.Throws<ClosedEnvironmentException>(() => inner.Reset());
    }
}
