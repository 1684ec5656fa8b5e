namespace RobotBridge.Distributed.Contract;

/// <summary>
/// Seeds of the workers, derived from the run's seed, the slot and the slot's generation with a fixed
/// mix (SplitMix64), not <see cref="HashCode"/>, whose values change from process to process. The same
/// run seed gives slot i the same seed on every machine; a replacement process (next generation) gets a
/// fresh one, so it does not replay the episodes its predecessor already delivered.
/// </summary>
public static class WorkerSeeds
{
    public static int Derive(int runSeed, int slot, int generation)
    {
        ulong x = unchecked((ulong)(uint)runSeed * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)slot << 32 ^ (uint)generation);
        x = unchecked((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL);
        x = unchecked((x ^ (x >> 27)) * 0x94D049BB133111EBUL);
        x ^= x >> 31;
        return (int)(x & 0x7FFFFFFF);
    }
}
