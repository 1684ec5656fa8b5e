using RobotBridge.Gym;
using RobotBridge.Gym.Goals;
using RobotBridge.Safety;

namespace RobotBridge.Tasks;

/// <summary>
/// An env that can name the safety guard in front of its robot (what deploy attaches teleop and
/// recording to). Asked of <c>env.Unwrapped</c>, as HER asks for <see cref="IGoalEnv"/>, so nobody
/// casts to a concrete env or robot.
/// </summary>
public interface IGuardedEnv
{
    /// <summary>The guard, or null when the env's robot runs without one.</summary>
    ISafetyGuard? Guard { get; }
}

public static class GuardedEnvExtensions
{
    /// <summary>The safety guard in front of <paramref name="env"/>'s robot, or null (no guard, or an env
    /// that cannot name one).</summary>
    public static ISafetyGuard? SafetyGuard(this IEnv env) => (env.Unwrapped as IGuardedEnv)?.Guard;

    /// <summary>The safety guard in front of <paramref name="env"/>'s robot; throws naming
    /// <paramref name="what"/> when it runs without one.</summary>
    public static ISafetyGuard RequireSafetyGuard(this IEnv env, string what) =>
        env.SafetyGuard() ?? throw new InvalidOperationException($"{what} has no safety guard in front of its robot; make it with safety=true");
}
