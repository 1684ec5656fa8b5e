using System.CommandLine;

namespace RobotBridge.Cli.Commands;

/// <summary>
/// The project's main job in one command (the README's first command): train a policy on the
/// simulated twin and run it. Grows with the project; today it shows what is available.
/// </summary>
internal static class QuickstartCommand
{
    public static Command Create()
    {
        var command = new Command("quickstart",
            "Run the main job: train a policy on the simulated twin and run it.\nExample: robotbridge quickstart");
        command.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.WriteLine("RobotBridge quickstart: nothing to train yet (foundation only).");
            return 0;
        });
        return command;
    }
}
