namespace RobotBridge.Model.Kinematics;

/// <summary>Tuning of <see cref="IkSolver"/>. Defaults suit the Fetch arm (metres, radians).</summary>
public sealed record IkOptions
{
    /// <summary>Converged when the tip position is this close to the target (m).</summary>
    public double PositionTolerance { get; init; } = 1e-4;

    /// <summary>Converged when the orientation error angle is below this (rad); pose solves only.</summary>
    public double OrientationTolerance { get; init; } = 1e-3;

    /// <summary>Damped-least-squares damping λ (in metres of task error).</summary>
    public double Damping { get; init; } = 0.02;

    /// <summary>Largest change of any one joint per iteration (rad or m): keeps steps in the linear range.</summary>
    public double MaxJointStep { get; init; } = 0.25;

    /// <summary>Weight of orientation error (rad) against position error (m) in pose solves.</summary>
    public double OrientationWeight { get; init; } = 0.3;

    /// <summary>Iterations per attempt of a full solve.</summary>
    public int MaxIterations { get; init; } = 150;

    /// <summary>Extra attempts from random joint vectors when an attempt stalls (full solves only).</summary>
    public int MaxRestarts { get; init; } = 40;

    /// <summary>Iterations of a small-displacement solve (warm-started, no restarts).</summary>
    public int StepIterations { get; init; } = 25;

    /// <summary>Seed of the restart sampler, reset at the start of every solve so results are reproducible.</summary>
    public ulong RandomSeed { get; init; } = 0x9E3779B97F4A7C15UL;

    /// <summary>Range used when sampling joints without position limits (continuous): ±this (rad).</summary>
    public double UnlimitedSampleRange { get; init; } = Math.PI;
}

/// <summary>Outcome of an IK solve.</summary>
public enum IkStatus
{
    /// <summary>The target was reached within tolerance; the solution is written.</summary>
    Converged,
    /// <summary>The target was not reached (unreachable, or not found); the solution holds the seed.</summary>
    NotReached,
    /// <summary>Seed or target not finite; the solution holds the seed.</summary>
    InvalidInput,
}

/// <summary>Result of an IK solve: status, remaining errors of the returned solution, effort spent.</summary>
public readonly record struct IkResult(IkStatus Status, double PositionError, double OrientationError, int Iterations, int Restarts)
{
    public bool Success => Status == IkStatus.Converged;
}
