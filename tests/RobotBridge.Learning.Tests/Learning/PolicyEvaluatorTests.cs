using RobotBridge.Gym;
using RobotBridge.Gym.Envs;
using RobotBridge.Gym.Spaces;
using RobotBridge.Gym.Wrappers;
using RobotBridge.Learning.Envs;
using RobotBridge.Learning.Evaluation;
using RobotBridge.Learning.Policies;
using RobotBridge.Learning.Torch;
using RobotBridge.Tasks;

namespace RobotBridge.Learning.Tests.Learning;

public class PolicyEvaluatorTests
{
    /// <summary>Refuses to set up episode <paramref name="refusedAt"/> (0-based), as a served twin refused to
    /// place the cube off a table its base had drifted from.</summary>
    private sealed class RefusingWorld(IEnv<DictValue, float[]> inner, int refusedAt) : Wrapper<DictValue, float[]>(inner)
    {
        private int _resets;

        public override ResetResult<DictValue> Reset(int? seed = null, IReadOnlyDictionary<string, object?>? options = null)
        {
            if (_resets++ == refusedAt)
            {
                throw new TaskResetException("the served twin refused to place the 5 cm cube: off the table");
            }
            return base.Reset(seed, options);
        }
    }

    [Fact]
    public void A_robot_that_cannot_start_the_next_episode_ends_the_run_with_the_episodes_measured_so_far()
    {
        using var inner = new PointMassGoalEnv();
        var spec = PolicyInputs.SpecFor(inner, "PointMassGoal-v0", "sac-her", [16]);
        TorchRuntime.Configure(1, 1);
        using var policy = new SquashedGaussianPolicy(spec);
        using var env = new RefusingWorld(new PointMassGoalEnv(), refusedAt: 3);

        var result = PolicyEvaluator.Evaluate(policy, env, episodes: 10, seed: 1);

        Assert.Equal(3, result.Episodes);
        Assert.Equal("the served twin refused to place the 5 cm cube: off the table", result.EndedEarly);
        Assert.Contains("ended after 3 episodes: the served twin refused", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_robot_that_cannot_start_the_first_episode_is_an_error_not_an_empty_result()
    {
        using var inner = new PointMassGoalEnv();
        var spec = PolicyInputs.SpecFor(inner, "PointMassGoal-v0", "sac-her", [16]);
        TorchRuntime.Configure(1, 1);
        using var policy = new SquashedGaussianPolicy(spec);
        using var env = new RefusingWorld(new PointMassGoalEnv(), refusedAt: 0);

        Assert.Throws<TaskResetException>(() => PolicyEvaluator.Evaluate(policy, env, episodes: 10, seed: 1));
    }
}
