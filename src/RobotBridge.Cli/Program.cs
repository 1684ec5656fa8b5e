using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using RobotBridge.Cli.Commands;

namespace RobotBridge.Cli;

public static class Program
{
    /// <summary>Exit code for a command line that could not be parsed (unknown command or option) or an option value out of range.</summary>
    public const int UsageError = 2;

    /// <summary>How long a command has, after Ctrl+C (SIGINT) or SIGTERM cancelled it, to stop the robot, close
    /// its files and print its summary before the process ends anyway with exit code 130.</summary>
    public static readonly TimeSpan TerminationGrace = TimeSpan.FromSeconds(10);

    /// <summary>What the program calls itself wherever it runs from: the installed tool's command name.
    /// The program file stays RobotBridge.Cli (an assembly named "robotbridge" would shadow the core
    /// RobotBridge assembly, names being case-insensitive), so help would otherwise say RobotBridge.Cli.</summary>
    public const string CommandName = "robotbridge";

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        RootCommand root = BuildRoot();
        ParseResult parsed;
        try
        {
            parsed = root.Parse(args);
        }
        catch (Exception e)
        {
            // A rule that throws is a bug in this program, not the user's input: said once, logged in full.
            var failure = CliFailure.Of(e, Environment.GetEnvironmentVariable(CliFailure.LogDirectoryVariable));
            stderr.WriteLine($"robotbridge: {failure.Message}");
            return failure.ExitCode;
        }
        if (parsed.Errors.Count > 0)
        {
            // One line: the first error names the option; several at once would only bury it.
            string more = parsed.Errors.Count > 1 ? $" (and {parsed.Errors.Count - 1} more problem(s))" : "";
            stderr.WriteLine($"{CommandPath(parsed)}: {CliFailure.OneLine(parsed.Errors[0].Message).TrimEnd('.')}{more} (see {CommandPath(parsed)} --help)");
            return UsageError;
        }
        if (parsed.Action is HelpAction)
        {
            // Help names the command after the program file; the usage lines should say what users type.
            using var help = new StringWriter();
            int code = parsed.Invoke(new InvocationConfiguration { Output = help, Error = stderr });
            stdout.Write(help.ToString().Replace(RootCommand.ExecutableName, CommandName, StringComparison.Ordinal));
            return code;
        }
        try
        {
            // The default handler prints "Unhandled exception" and the stack trace: ours gives one line.
            // Ctrl+C cancels the command's token and gives it TerminationGrace to finish (System.CommandLine
            // 2.0.0 leaves the timeout null, dotnet/command-line-api#2739, and then Ctrl+C killed deploy at
            // once: no summary, its --record bag left empty or unindexed).
            return parsed.Invoke(new InvocationConfiguration
            {
                Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TerminationGrace,
            });
        }
        catch (Exception e)
        {
            var failure = CliFailure.Of(e, Environment.GetEnvironmentVariable(CliFailure.LogDirectoryVariable));
            stderr.WriteLine($"{CommandPath(parsed)}: {failure.Message}");
            return failure.ExitCode;
        }
    }

    /// <summary>"robotbridge bench loop": how the failing command is named in its one-line message.</summary>
    private static string CommandPath(ParseResult parsed)
    {
        var names = new List<string>();
        for (SymbolResult? r = parsed.CommandResult; r is not null; r = r.Parent)
        {
            if (r is CommandResult c && c.Command is not RootCommand) names.Insert(0, c.Command.Name);
        }
        names.Insert(0, "robotbridge");
        return string.Join(' ', names);
    }

    /// <summary>The command tree. Each area adds its command from its own file under Commands/.</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand(
            "RobotBridge: one Gym interface over a simulated and a real Fetch robot.\n" +
            "Example: robotbridge quickstart");
        root.Subcommands.Add(QuickstartCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(WorkerCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(DeployCommand.Create());
        root.Subcommands.Add(SimCommand.Create());
        root.Subcommands.Add(ModelCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(TeleopCommand.Create());
        root.Subcommands.Add(ReplayCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(CheckEnvCommand.Create());
        root.Subcommands.Add(VisionCommand.Create());
        return root;
    }
}
