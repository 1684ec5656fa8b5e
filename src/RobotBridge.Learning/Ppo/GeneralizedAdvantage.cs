namespace RobotBridge.Learning.Ppo;

/// <summary>
/// Generalised advantage estimation (Schulman et al. 2016) over a <see cref="RolloutBuffer"/>:
/// δ_t = r_t + γ·V(s_{t+1})·[not terminated] − V(s_t), A_t = δ_t + γλ·A_{t+1} within an episode.
/// A truncated step bootstraps from V of its final observation (stored as the next row's value,
/// since the next row is the autoreset row) but does not carry advantage across the episode end.
/// </summary>
public static class GeneralizedAdvantage
{
    public static void Compute(RolloutBuffer b, double gamma, double lambda)
    {
        for (int env = 0; env < b.Envs; env++)
        {
            double next = 0;
            for (int t = b.Steps - 1; t >= 0; t--)
            {
                int i = t * b.Envs + env;
                if (!b.Valid[i])
                {
                    b.Advantages[i] = 0;
                    b.Returns[i] = 0;
                    next = 0;
                    continue;
                }
                double nextValue = t == b.Steps - 1 ? b.BootstrapValues[env] : b.Values[i + b.Envs];
                bool episodeEnds = b.Terminated[i] || b.Truncated[i];
                double delta = b.Rewards[i] + (b.Terminated[i] ? 0 : gamma * nextValue) - b.Values[i];
                double advantage = delta + (episodeEnds ? 0 : gamma * lambda * next);
                b.Advantages[i] = (float)advantage;
                b.Returns[i] = (float)(advantage + b.Values[i]);
                next = advantage;
            }
        }
    }
}
