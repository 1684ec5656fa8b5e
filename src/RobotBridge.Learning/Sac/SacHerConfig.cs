namespace RobotBridge.Learning.Sac;

/// <summary>
/// SAC+HER hyper-parameters. Defaults follow the RL Zoo's FetchReach SAC/TQC+HER settings
/// (γ 0.95, lr 1e-3, batch 256, τ 0.05, 1000 random steps, future k = 4, two 64-wide layers)
/// except where noted.
/// </summary>
public sealed record SacHerConfig
{
    public int Seed { get; init; } = 1;
    public int Threads { get; init; } = 1;
    public int[] HiddenSizes { get; init; } = [64, 64];
    public int BatchSize { get; init; } = 256;
    public int BufferTransitions { get; init; } = 1_000_000;
    public double Gamma { get; init; } = 0.95;
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Polyak factor of the target critics: target ← (1−τ)·target + τ·online.</summary>
    public double Tau { get; init; } = 0.05;

    /// <summary>Uniformly random actions for this many env steps before the policy acts.</summary>
    public int LearningStarts { get; init; } = 1000;

    /// <summary>Gradient steps per env step: 1 as in the Zoo's Fetch settings; fractions are
    /// carried over between steps (0.4 is the OpenAI baselines' 40 batches per 100 env steps).</summary>
    public double GradientStepsPerEnvStep { get; init; } = 1;

    /// <summary>Probability that an env step takes a uniformly random action instead of the policy's
    /// sample (0.3 in the OpenAI baselines' HER): wide exploration that does not decay with the
    /// entropy temperature, which matters where only touching an object gives any signal (Push).</summary>
    public double RandomActionProbability { get; init; }

    /// <summary>Episodes of a scripted demonstrator stored before training (0 = none). They count as
    /// env steps of the run.</summary>
    public int DemonstrationEpisodes { get; init; }

    /// <summary>0 (the default): demonstrations join the agent's replay buffer and are sampled like its
    /// own episodes, so their share of a batch shrinks as the agent's experience grows. Above 0: they
    /// are kept in a buffer of their own and this many of their transitions (HER-relabelled like the
    /// rest) join every batch.</summary>
    public int DemonstrationBatchSize { get; init; }

    /// <summary>Weight of the behaviour-cloning term on the batch's demonstration transitions (needs
    /// <see cref="DemonstrationBatchSize"/> above 0). It applies only where the critics rate the
    /// demonstrated action above the policy's own (the Q-filter of Nair et al. 2018), so the policy
    /// may outgrow a worse demonstrator. 0 (the default) learns from demonstrations through the
    /// critics only.</summary>
    public double BehaviourCloningWeight { get; init; }

    /// <summary>HER: relabelled goals per original goal ('future' strategy).</summary>
    public int HerK { get; init; } = 4;

    /// <summary>Target entropy per action dimension (SAC's automatic temperature: −|A| in total).</summary>
    public double TargetEntropyPerDimension { get; init; } = -1.0;
    public double InitialAlpha { get; init; } = 1.0;
}
