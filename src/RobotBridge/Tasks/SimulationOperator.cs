using RobotBridge.Gym;
using RobotBridge.Safety;

namespace RobotBridge.Tasks;

/// <summary>
/// The operator of a simulated robot during training: resets the twin's e-stop latch after a safety
/// stop, where the stop hurt nothing and nobody is there to look. Only the sim body provider makes one,
/// and only for an env made for training (<see cref="FetchEnvs.TrainingOperatorOption"/>): its latch then
/// authorises <see cref="OperatorId"/> beside the config's operators. A rosbridge robot never has one,
/// and deploy and eval never ask for one, so a latched stop there still waits for a human.
/// </summary>
public sealed class SimulationOperator
{
    /// <summary>The id this operator resets with, as the latch's events record it.</summary>
    public const string OperatorId = "simulation-trainer";

    private readonly EStopLatch _latch;

    /// <param name="latch">A twin's latch that authorises <see cref="OperatorId"/>.</param>
    public SimulationOperator(EStopLatch latch)
    {
        ArgumentNullException.ThrowIfNull(latch);
        _latch = latch;
    }

    /// <summary>The latch now.</summary>
    public SafetySnapshot Safety => _latch.Snapshot;

    /// <summary>Asks the latch to run again, as any operator does: refused while a lasting source still
    /// asserts its stop (a lost link, a stale camera), so it releases only what a human could.</summary>
    public EStopResetResult ResetLatch() => _latch.TryReset(OperatorId);
}

/// <summary>An env whose robot is a simulation with an operator for training (asked of <c>env.Unwrapped</c>).</summary>
public interface ISimulationOperatedEnv
{
    /// <summary>The simulation's operator, or null (a real robot, or an env not made for training).</summary>
    SimulationOperator? SimulationOperator { get; }
}

public static class SimulationOperatedEnvExtensions
{
    /// <summary>The operator of <paramref name="env"/>'s simulated robot, or null when it has none.</summary>
    public static SimulationOperator? SimulationOperator(this IEnv env) => (env.Unwrapped as ISimulationOperatedEnv)?.SimulationOperator;
}
