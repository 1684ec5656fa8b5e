using RobotBridge.Gym.Envs;

namespace RobotBridge.Gym.Goals;

/// <summary>
/// The Gymnasium-Robotics reward of a 3-D position goal: sparse (−1 farther than the threshold, else
/// 0) or dense (minus the distance), with success inside the threshold. One definition serves
/// <c>Step</c> and the batched <see cref="IGoalEnv.ComputeReward"/> of every goal env, so the two can
/// never disagree.
/// </summary>
public readonly record struct GoalReward(GoalRewardType Type, double DistanceThreshold)
{
    public const int GoalSize = 3;

    public double Of(ReadOnlySpan<double> achieved, ReadOnlySpan<double> desired) => OfDistance(Distance(achieved, desired));

    public double OfDistance(double distance) => Type == GoalRewardType.Sparse
        ? (distance > DistanceThreshold ? -1.0 : 0.0)
        : -distance;

    public bool IsSuccess(ReadOnlySpan<double> achieved, ReadOnlySpan<double> desired) => Distance(achieved, desired) < DistanceThreshold;

    /// <summary>Rewards of N transitions with N x 3 row-major goals (the <see cref="IGoalEnv.ComputeReward"/> contract).</summary>
    public void Compute(ReadOnlySpan<double> achievedGoals, ReadOnlySpan<double> desiredGoals, ReadOnlySpan<Info> infos, Span<double> rewards)
    {
        int n = rewards.Length;
        if (achievedGoals.Length != n * GoalSize || desiredGoals.Length != n * GoalSize)
        {
            throw new ArgumentException($"for {n} rewards the goals must be {n} x 3 = {n * GoalSize} values; got achieved {achievedGoals.Length}, desired {desiredGoals.Length}");
        }
        if (infos.Length != 0 && infos.Length != n)
        {
            throw new ArgumentException($"infos must be empty or hold {n} entries, got {infos.Length}");
        }
        for (int i = 0; i < n; i++)
        {
            rewards[i] = Of(achievedGoals.Slice(i * GoalSize, GoalSize), desiredGoals.Slice(i * GoalSize, GoalSize));
        }
    }

    public static double Distance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
        return Math.Sqrt(dx * dx + dy * dy + dz * dz);
    }
}
