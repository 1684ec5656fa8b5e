namespace RobotBridge.Gym.Spaces;

/// <summary>Draws from the distributions Gymnasium uses for unbounded box dimensions.</summary>
internal static class Distributions
{
    /// <summary>Standard normal by the Box-Muller transform (one of the pair is discarded to keep no state).</summary>
    public static double Normal(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(); // (0, 1]: log stays finite
        double u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Exponential with rate 1.</summary>
    public static double Exponential(Random rng) => -Math.Log(1.0 - rng.NextDouble());
}
