namespace RobotBridge.Learning.Ppo;

/// <summary>
/// One PPO rollout: T steps × N envs of policy inputs, pre-squash actions, their log-probabilities,
/// values, rewards and episode flags, allocated once. Row index = t * N + env.
/// </summary>
/// <remarks>With next-step autoreset the step after an episode end only resets the env; that row is
/// marked invalid and takes no part in the update.</remarks>
public sealed class RolloutBuffer
{
    public RolloutBuffer(int steps, int envs, int vectorSize, int imageSize, int actionSize)
    {
        Steps = steps;
        Envs = envs;
        VectorSize = vectorSize;
        ImageSize = imageSize;
        ActionSize = actionSize;
        int rows = steps * envs;
        Vectors = new float[rows * vectorSize];
        Images = new byte[rows * imageSize];
        PreSquashActions = new float[rows * actionSize];
        LogProbs = new float[rows];
        Values = new float[rows];
        Rewards = new float[rows];
        Terminated = new bool[rows];
        Truncated = new bool[rows];
        Valid = new bool[rows];
        Advantages = new float[rows];
        Returns = new float[rows];
        BootstrapValues = new float[envs];
    }

    public int Steps { get; }
    public int Envs { get; }
    public int VectorSize { get; }
    public int ImageSize { get; }
    public int ActionSize { get; }
    public int Rows => Steps * Envs;

    public float[] Vectors { get; }
    public byte[] Images { get; }
    public float[] PreSquashActions { get; }
    public float[] LogProbs { get; }
    public float[] Values { get; }
    public float[] Rewards { get; }
    public bool[] Terminated { get; }
    public bool[] Truncated { get; }
    public bool[] Valid { get; }
    public float[] Advantages { get; }
    public float[] Returns { get; }

    /// <summary>V of each env's observation after the last rollout step.</summary>
    public float[] BootstrapValues { get; }
}
