using RobotBridge.Cli.Composition;

namespace RobotBridge.Cli.Commands;

/// <summary>
/// Makes sure every env the CLI can name is in the Gym registry before a command looks one up:
/// the core's built-ins and the Fetch tasks on every body this program can drive.
/// </summary>
internal static class CliEnvironments
{
    public static void EnsureRegistered() => _ = EnvComposition.Registry;
}
