using RobotBridge.Gym;
using RobotBridge.Gym.Wrappers;

namespace RobotBridge.Tests.Gym.Wrappers;

public class TimeLimitTests
{
    [Fact]
    public void Truncates_exactly_at_the_limit_and_reset_restarts_the_count()
    {
        using var env = new TimeLimit<double[], float[]>(new ProbeEnv(), 3);
        env.Reset(seed: 0);
        Assert.False(env.Step([0f, 0f]).Truncated);
        Assert.False(env.Step([0f, 0f]).Truncated);
        var last = env.Step([0f, 0f]);
        Assert.True(last.Truncated);
        Assert.False(last.Terminated);
        env.Reset();
        Assert.Equal(0, env.ElapsedSteps);
        Assert.False(env.Step([0f, 0f]).Truncated);
    }

    [Fact]
    public void Keeps_the_inner_terminated_flag_when_both_happen_on_the_same_step()
    {
        using var env = new TimeLimit<double[], float[]>(new ProbeEnv(terminateAfter: 2), 2);
        env.Reset(seed: 0);
        env.Step([0f, 0f]);
        var s = env.Step([0f, 0f]);
        Assert.True(s.Terminated);
        Assert.True(s.Truncated);
    }

    [Fact]
    public void Rejects_a_non_positive_limit() =>
        Assert.Throws<InvalidEnvArgumentException>(() => new TimeLimit<double[], float[]>(new ProbeEnv(), 0));
}
