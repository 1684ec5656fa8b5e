namespace RobotBridge.Learning.Sac;

/// <summary>
/// One training batch in the policy's input layout, preallocated once: vector inputs
/// (observation ++ goal) before and after each transition, actions, rewards and terminal flags.
/// </summary>
public sealed class HerBatch
{
    public HerBatch(int size, int vectorSize, int actionSize, int goalSize)
    {
        Size = size;
        VectorSize = vectorSize;
        ActionSize = actionSize;
        Vectors = new float[size * vectorSize];
        NextVectors = new float[size * vectorSize];
        Actions = new float[size * actionSize];
        Rewards = new float[size];
        NotDone = new float[size];
        Achieved = new double[size * goalSize];
        Goals = new double[size * goalSize];
        RewardScratch = new double[size];
    }

    public int Size { get; }
    public int VectorSize { get; }
    public int ActionSize { get; }
    public float[] Vectors { get; }
    public float[] NextVectors { get; }
    public float[] Actions { get; }
    public float[] Rewards { get; }

    /// <summary>1 − terminal: whether the target bootstraps from the next state.</summary>
    public float[] NotDone { get; }

    /// <summary>Achieved goal after each transition and the (possibly relabelled) goal, for ComputeReward.</summary>
    public double[] Achieved { get; }
    public double[] Goals { get; }
    internal double[] RewardScratch { get; }
}
