using TorchSharp;

namespace RobotBridge.Learning.Torch;

/// <summary>
/// Process-wide TorchSharp settings that decide reproducibility: the seed of torch's global
/// generator and the number of intra-op threads. Same seed and thread count → same numbers.
/// </summary>
public static class TorchRuntime
{
    /// <summary>Seeds torch's generator and fixes the intra-op thread count (≥ 1).</summary>
    public static void Configure(int seed, int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "thread count must be at least 1");
        torch.set_num_threads(threads);
        torch.manual_seed(seed);
    }
}
