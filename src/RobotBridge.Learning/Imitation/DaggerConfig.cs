namespace RobotBridge.Learning.Imitation;

/// <summary>
/// DAgger settings (Ross, Gordon and Bagnell 2011): a first round of the expert's own episodes, then
/// rounds in which the policy acts and the expert labels every state the policy visits.
/// </summary>
public sealed record DaggerConfig
{
    public int Seed { get; init; } = 1;
    public int Threads { get; init; } = 1;
    public int[] HiddenSizes { get; init; } = [256, 256, 256];
    public int BatchSize { get; init; } = 256;
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Episodes of the first round, acted by the expert (behaviour cloning's data).</summary>
    public int ExpertEpisodes { get; init; } = 100;

    /// <summary>Episodes of every later round, acted by the policy (or the expert, see <see cref="ExpertMixing"/>).</summary>
    public int RoundEpisodes { get; init; } = 20;

    /// <summary>Gradient steps after each round, per env step of that round.</summary>
    public double GradientStepsPerEnvStep { get; init; } = 0.5;

    /// <summary>β of round 1: the probability that a step of that round executes the expert's action rather
    /// than the policy's; it halves every round after (β_i = β·2^(1−i)), so the policy soon visits its own
    /// states, which is what DAgger labels.</summary>
    public double ExpertMixing { get; init; } = 0.5;

    /// <summary>Labelled states kept (oldest dropped first once full).</summary>
    public int DatasetCapacity { get; init; } = 1_000_000;
}
