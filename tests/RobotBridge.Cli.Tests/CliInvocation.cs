namespace RobotBridge.Cli.Tests;

/// <summary>Runs the robotbridge command line in-process, as a user would type it, and captures what it printed.</summary>
internal static class CliInvocation
{
    public static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
