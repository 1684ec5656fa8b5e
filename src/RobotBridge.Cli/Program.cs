using System.CommandLine;
using RobotBridge.Cli.Commands;

namespace RobotBridge.Cli;

public static class Program
{
    /// <summary>Exit code for a command line that could not be parsed (unknown command or option).</summary>
    public const int UsageError = 2;

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        RootCommand root = BuildRoot();
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                stderr.WriteLine($"robotbridge: {error.Message}");
            }
            stderr.WriteLine("Run 'robotbridge --help' for the commands and their options.");
            return UsageError;
        }
        return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }

    /// <summary>The command tree. Each area adds its command from its own file under Commands/.</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand(
            "RobotBridge: one Gym interface over a simulated and a real Fetch robot.\n" +
            "Example: robotbridge quickstart");
        root.Subcommands.Add(QuickstartCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(DeployCommand.Create());
        root.Subcommands.Add(SimCommand.Create());
        root.Subcommands.Add(ModelCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(TeleopCommand.Create());
        root.Subcommands.Add(ReplayCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(CheckEnvCommand.Create());
        return root;
    }
}
