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

    /// <summary>Reports success at step <paramref name="metAt"/> of every episode and failure at every other
    /// step, as a Push policy that reaches the goal and pushes the cube on past it.</summary>
    private sealed class GoalMetOnceWorld(IEnv<DictValue, float[]> inner, int metAt) : Wrapper<DictValue, float[]>(inner)
    {
        private int _step;

        public override ResetResult<DictValue> Reset(int? seed = null, IReadOnlyDictionary<string, object?>? options = null)
        {
            _step = 0;
            return base.Reset(seed, options);
        }

        public override StepResult<DictValue> Step(float[] action)
        {
            var result = base.Step(action);
            result.Info.Set(InfoKeys.IsSuccess, _step++ == metAt);
            return result;
        }
    }

    private static SquashedGaussianPolicy UntrainedPolicy()
    {
        using var shape = new PointMassGoalEnv();
        TorchRuntime.Configure(1, 1);
        return new SquashedGaussianPolicy(PolicyInputs.SpecFor(shape, "PointMassGoal-v0", "sac-her", [16]));
    }

    [Fact]
    public void Failures_are_told_apart_by_whether_the_goal_was_met_before_the_end()
    {
        using var policy = UntrainedPolicy();
        using var leaves = new GoalMetOnceWorld(new PointMassGoalEnv(), metAt: 3);
        using var neverMeets = new GoalMetOnceWorld(new PointMassGoalEnv(), metAt: int.MaxValue);

        var left = PolicyEvaluator.Evaluate(policy, leaves, episodes: 4, seed: 1);
        var never = PolicyEvaluator.Evaluate(policy, neverMeets, episodes: 4, seed: 1);

        Assert.Equal((0, 4), (left.Successes, left.FailuresThatMetTheGoal));
        Assert.Equal((0, 0), (never.Successes, never.FailuresThatMetTheGoal));
        Assert.Contains("of 4 failures 4 met the goal and left it", left.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_robot_that_cannot_start_the_next_episode_ends_the_run_with_the_episodes_measured_so_far()
    {
        using var policy = UntrainedPolicy();
        using var env = new RefusingWorld(new PointMassGoalEnv(), refusedAt: 3);

        var result = PolicyEvaluator.Evaluate(policy, env, episodes: 10, seed: 1);

        Assert.Equal(3, result.Episodes);
        Assert.Equal("the served twin refused to place the 5 cm cube: off the table", result.EndedEarly);
        Assert.Contains("ended after 3 episodes: the served twin refused", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_robot_that_cannot_start_the_first_episode_is_an_error_not_an_empty_result()
    {
        using var policy = UntrainedPolicy();
        using var env = new RefusingWorld(new PointMassGoalEnv(), refusedAt: 0);

        Assert.Throws<TaskResetException>(() => PolicyEvaluator.Evaluate(policy, env, episodes: 10, seed: 1));
    }
}
