using RobotBridge.Gym;
using RobotBridge.Gym.Envs;
using RobotBridge.Gym.Goals;
using RobotBridge.Gym.Spaces;
using RobotBridge.Gym.Wrappers;

namespace RobotBridge.Tests.Gym.Wrappers;

public class FlattenObservationTests
{
    [Fact]
    public void Goal_observation_flattens_in_gymnasium_key_order()
    {
        var inner = new PointMassGoalEnv();
        using var env = new FlattenObservation<DictValue, float[]>(inner);
        var (flat, _) = env.Reset(seed: 9);
        var box = Assert.IsType<Box<double>>(env.ObservationSpace);
        Assert.Equal([12], box.Shape);
        Assert.True(box.Contains(flat));
        var dict = inner.Reset(seed: 9).Observation;
        Assert.Equal([.. dict.AchievedGoal(), .. dict.DesiredGoal(), .. dict.Observation()], flat);
    }

    [Fact]
    public void Flattened_space_has_one_hot_bounds_for_discrete_parts()
    {
        var space = SpaceFlattening.FlattenSpace(new TupleSpace(new Discrete(2), new Box<float>(-3f, 3f, 1)));
        Assert.Equal([0, 0, -3], space.Low.ToArray());
        Assert.Equal([1, 1, 3], space.High.ToArray());
    }

    [Fact]
    public void The_stack_used_for_mlp_policies_passes_the_checker_once_normalisation_is_frozen()
    {
        using var env = new NormalizeObservation<double, float[]>(new FlattenObservation<DictValue, float[]>(new PointMassGoalEnv()));
        // Learning statistics is state outside the seed, so the same seed cannot replay the same observations...
        var learning = RobotBridge.Gym.Checking.EnvChecker.Check(env);
        Assert.True(learning.Failed(RobotBridge.Gym.Checking.EnvContracts.ResetSeedDeterminism), learning.ToString());
        // ...while frozen statistics (evaluation, deployment) make the stack deterministic again.
        env.UpdateRunningMean = false;
        var frozen = RobotBridge.Gym.Checking.EnvChecker.Check(env);
        Assert.True(frozen.Passed, frozen.ToString());
    }
}
