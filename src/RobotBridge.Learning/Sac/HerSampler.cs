namespace RobotBridge.Learning.Sac;

/// <summary>Vectorised reward of a goal env: N achieved and N desired goals (row-major) → N rewards.</summary>
public delegate void GoalRewardFunction(ReadOnlySpan<double> achievedGoals, ReadOnlySpan<double> desiredGoals, Span<double> rewards);

/// <summary>
/// Hindsight experience replay, 'future' strategy (Andrychowicz et al. 2017): each sampled
/// transition (episode e, step t) keeps its own goal with probability 1/(k+1); otherwise its goal
/// is replaced by the goal achieved at a later step t' ∈ [t+1, T] of the same episode. Rewards of
/// all sampled transitions come from the env's vectorised ComputeReward.
/// </summary>
public sealed class HerSampler
{
    private readonly EpisodeReplayBuffer _buffer;
    private readonly double _relabelProbability;
    private readonly GoalRewardFunction _reward;

    /// <param name="relabelledPerOriginal">k: relabelled goals per original one (4 for the Fetch tasks).</param>
    public HerSampler(EpisodeReplayBuffer buffer, int relabelledPerOriginal, GoalRewardFunction reward)
    {
        if (relabelledPerOriginal < 0) throw new ArgumentOutOfRangeException(nameof(relabelledPerOriginal), "k must be ≥ 0");
        _buffer = buffer;
        _relabelProbability = 1.0 - 1.0 / (1 + relabelledPerOriginal);
        _reward = reward;
    }

    /// <summary>Fills <paramref name="batch"/> with uniformly chosen episodes and steps, relabelled.</summary>
    public void Sample(HerBatch batch, Random rng)
    {
        if (_buffer.Episodes == 0) throw new InvalidOperationException("the replay buffer holds no complete episode yet");
        int goal = _buffer.GoalSize, vector = batch.VectorSize;
        for (int i = 0; i < batch.Size; i++)
        {
            int slot = rng.Next(_buffer.Episodes);
            int length = _buffer.Length(slot);
            int t = rng.Next(length);
            ReadOnlySpan<double> g = rng.NextDouble() < _relabelProbability
                ? _buffer.AchievedRow(slot, rng.Next(t + 1, length + 1))
                : _buffer.DesiredRow(slot, t);
            g.CopyTo(batch.Goals.AsSpan(i * goal, goal));
            _buffer.AchievedRow(slot, t + 1).CopyTo(batch.Achieved.AsSpan(i * goal, goal));
            WriteVector(_buffer.ObservationRow(slot, t), g, batch.Vectors.AsSpan(i * vector, vector));
            WriteVector(_buffer.ObservationRow(slot, t + 1), g, batch.NextVectors.AsSpan(i * vector, vector));
            _buffer.ActionRow(slot, t).CopyTo(batch.Actions.AsSpan(i * batch.ActionSize, batch.ActionSize));
            batch.NotDone[i] = _buffer.Terminal(slot, t) ? 0f : 1f;
        }
        _reward(batch.Achieved, batch.Goals, batch.RewardScratch);
        for (int i = 0; i < batch.Size; i++) batch.Rewards[i] = (float)batch.RewardScratch[i];
    }

    /// <summary>The policy's vector input for goal envs: observation followed by the goal.</summary>
    public static void WriteVector(ReadOnlySpan<float> observation, ReadOnlySpan<double> goal, Span<float> vector)
    {
        observation.CopyTo(vector);
        for (int j = 0; j < goal.Length; j++) vector[observation.Length + j] = (float)goal[j];
    }
}
