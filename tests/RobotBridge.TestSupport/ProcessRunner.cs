using System.Diagnostics;

namespace RobotBridge.TestSupport;

/// <summary>Runs a real external program (gcc, a compiled C probe, a Debian tool) and captures its output.</summary>
public static class ProcessRunner
{
    public static (int ExitCode, string Stdout, string Stderr) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish within 120 s");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Compiles C sources with gcc against the system headers; returns the binary's path, or
    /// throws with gcc's own messages.</summary>
    public static string CompileC(string outputDirectory, string name, params string[] extraArguments)
    {
        string binary = Path.Combine(outputDirectory, name);
        var (code, _, stderr) = Run("gcc", [.. extraArguments, "-I/usr/include", "-o", binary]);
        return code == 0 ? binary : throw new InvalidOperationException($"gcc failed compiling {name}: {stderr}");
    }
}
