using System.CommandLine;
using RobotBridge.Cli.Bench;

namespace RobotBridge.Cli.Commands;

/// <summary><c>robotbridge bench serve-camera</c>: see <see cref="ServeCameraBench"/>.</summary>
internal static class ServeCameraBenchCommand
{
    public static Command Create()
    {
        var seconds = new Option<double>("--seconds") { Description = "Measurement time per run (camera off; on, images not subscribed; on, images subscribed).", DefaultValueFactory = _ => 30 }.Range(2, 3600, "s");
        var command = new Command("serve-camera",
            "Joint-state inter-arrival at a client of robotbridge serve with the head camera off and on (serve as a child process, client subscribed to joint states, RGB and depth).\n" +
            "Example: robotbridge bench serve-camera --seconds 30");
        command.Options.Add(seconds);
        command.SetAction(parse => ServeCameraBench.Run(parse.InvocationConfiguration.Output, parse.GetValue(seconds)));
        return command;
    }
}
