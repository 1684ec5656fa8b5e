using RobotBridge.Gym.Spaces;

namespace RobotBridge.Gym.Goals;

/// <summary>
/// A goal-conditioned env (Gymnasium-Robotics GoalEnv). The observation is a <see cref="DictSpace"/>
/// with float64 Box entries <c>observation</c>, <c>achieved_goal</c> and <c>desired_goal</c> (keys
/// sorted as Gymnasium sorts them; camera variants add e.g. an <c>image</c> uint8 Box), built by
/// <see cref="GoalSpaces.Create"/>. Read them with <see cref="GoalObservation"/>'s accessors.
/// </summary>
/// <remarks>
/// <see cref="ComputeReward"/> is what hindsight relabelling (HER) needs: for any achieved/desired
/// pair it returns exactly the reward Step would have returned, so
/// <c>ComputeReward(obs.AchievedGoal(), obs.DesiredGoal(), [info], r)</c> equals Step's reward.
/// </remarks>
public interface IGoalEnv : IEnv
{
    /// <summary>Length of one goal vector (3 for the Fetch tasks: a position in metres).</summary>
    int GoalDimension { get; }

    /// <summary>
    /// Rewards of a batch of N transitions: <paramref name="achievedGoals"/> and
    /// <paramref name="desiredGoals"/> are N x <see cref="GoalDimension"/> row-major (contiguous, as a
    /// replay buffer stores them); <paramref name="infos"/> is empty or holds N infos; writes N rewards.
    /// Allocation-free; thread-safe (depends on the env's configuration only).
    /// </summary>
    void ComputeReward(ReadOnlySpan<double> achievedGoals, ReadOnlySpan<double> desiredGoals, ReadOnlySpan<Info> infos, Span<double> rewards);
}

/// <summary>A goal env with typed actions.</summary>
public interface IGoalEnv<TAct> : IGoalEnv, IEnv<DictValue, TAct>
{
}
