namespace RobotBridge.Learning.Ppo;

/// <summary>PPO hyper-parameters (defaults as in the PPO paper's MuJoCo settings and CleanRL's ppo_continuous_action).</summary>
public sealed record PpoConfig
{
    public int Seed { get; init; } = 1;
    public int Threads { get; init; } = 1;
    public int[] HiddenSizes { get; init; } = [64, 64];

    /// <summary>Steps collected from each sub-env per update.</summary>
    public int RolloutSteps { get; init; } = 256;
    public int Epochs { get; init; } = 10;
    public int Minibatches { get; init; } = 4;
    public double Gamma { get; init; } = 0.98;
    public double GaeLambda { get; init; } = 0.95;
    public double ClipRange { get; init; } = 0.2;
    public double ValueCoefficient { get; init; } = 0.5;
    /// <summary>0 (the default): no entropy bonus, as SB3's PPO.</summary>
    public double EntropyCoefficient { get; init; }
    public double MaxGradNorm { get; init; } = 0.5;
    public double LearningRate { get; init; } = 3e-4;
}
