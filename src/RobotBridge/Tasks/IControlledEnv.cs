using RobotBridge.Control;
using RobotBridge.Gym;

namespace RobotBridge.Tasks;

/// <summary>
/// An env whose robot is driven by a <see cref="ControlLoop"/>: whoever else commands the same robot
/// while the env runs (deploy's teleop) posts to the loop's mailbox instead of calling the robot, so
/// every command reaches it on the loop's thread. Asked of <c>env.Unwrapped</c>, like <see cref="IGuardedEnv"/>.
/// </summary>
public interface IControlledEnv
{
    ControlLoop Loop { get; }

    RobotCommandMailbox Commands { get; }
}

public static class ControlledEnvExtensions
{
    /// <summary>The command mailbox of the loop under <paramref name="env"/>, or null (an env without one).</summary>
    public static RobotCommandMailbox? CommandMailbox(this IEnv env) => (env.Unwrapped as IControlledEnv)?.Commands;
}
