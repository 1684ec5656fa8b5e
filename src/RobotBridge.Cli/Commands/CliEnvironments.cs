namespace RobotBridge.Cli.Commands;

/// <summary>
/// Makes sure every env the CLI can name is in the Gym registry before a command looks one up.
/// The core registers its built-in envs itself; the twin's Fetch tasks are added here once they exist.
/// </summary>
internal static class CliEnvironments
{
    public static void EnsureRegistered()
    {
        // Touching the default registry registers the core's built-ins (PointMassGoal-v0, …).
        _ = RobotBridge.Gym.Registration.EnvRegistry.Default;
    }
}
