namespace RobotBridge.Safety;

/// <summary>
/// Limits of one joint as the supervisor enforces them: position range (from the URDF; none for
/// continuous joints), velocity (URDF, scaled by the config) and acceleration (config; the URDF has none).
/// SI units: rad, rad/s, rad/s² for revolute joints, m, m/s, m/s² for prismatic ones.
/// </summary>
public readonly record struct JointLimit(
    string Joint,
    bool HasPositionLimits,
    double Lower,
    double Upper,
    double MaxVelocity,
    double MaxAcceleration)
{
    /// <summary>Clamps <paramref name="position"/> into [Lower + margin, Upper − margin]; continuous
    /// joints pass through.</summary>
    public double ClampPosition(double position, double margin)
    {
        if (!HasPositionLimits)
        {
            return position;
        }
        double lo = Lower + margin, hi = Upper - margin;
        if (lo > hi)
        {
            lo = hi = (Lower + Upper) / 2;
        }
        return Math.Clamp(position, lo, hi);
    }

    /// <summary>True when <paramref name="position"/> lies within the range widened by <paramref name="tolerance"/>.</summary>
    public bool PositionWithin(double position, double tolerance) =>
        !HasPositionLimits || (position >= Lower - tolerance && position <= Upper + tolerance);
}
