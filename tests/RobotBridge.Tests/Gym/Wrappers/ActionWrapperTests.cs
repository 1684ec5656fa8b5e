using RobotBridge.Gym;
using RobotBridge.Gym.Spaces;
using RobotBridge.Gym.Wrappers;

namespace RobotBridge.Tests.Gym.Wrappers;

public class ClipActionTests
{
    [Fact]
    public void Clips_into_the_inner_box_and_widens_the_action_space()
    {
        var inner = new ProbeEnv(new Box<float>([-1f, 0f], [1f, 0.5f], [2]));
        using var env = new ClipAction<double[], float>(inner);
        env.Reset(seed: 0);
        var action = new[] { 3f, -2f };
        env.Step(action);
        Assert.Equal([1f, 0f], inner.LastAction!);
        Assert.Equal([3f, -2f], action); // the caller's array is not modified
        var box = Assert.IsType<Box<float>>(env.ActionSpace);
        Assert.True(box.Contains([1e30f, -1e30f]));
    }
}

public class RescaleActionTests
{
    [Fact]
    public void Maps_the_new_range_linearly_onto_the_inner_bounds()
    {
        var inner = new ProbeEnv(new Box<float>([0f, -10f], [0.1f, 10f], [2]));
        using var env = new RescaleAction<double[], float>(inner, -1f, 1f);
        env.Reset(seed: 0);
        env.Step([-1f, 1f]);
        Assert.Equal([0f, 10f], inner.LastAction!);
        env.Step([0f, 0.5f]);
        Assert.Equal(0.05f, inner.LastAction![0], 6);
        Assert.Equal(5f, inner.LastAction[1], 5);
        Assert.True(((Box<float>)env.ActionSpace).Contains([1f, -1f]));
        Assert.False(((Box<float>)env.ActionSpace).Contains([1.5f, 0f]));
    }

    [Fact]
    public void Refuses_an_unbounded_inner_box() =>
        Assert.Throws<InvalidEnvArgumentException>(() =>
            new RescaleAction<double[], float>(new ProbeEnv(new Box<float>(float.NegativeInfinity, float.PositiveInfinity, 2)), -1f, 1f));
}
