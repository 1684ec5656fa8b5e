using System.Diagnostics;
using System.Text;

namespace RobotBridge.Distributed.Tests;

/// <summary>The real command line (built beside this project) as a process, its output collected line by line.</summary>
internal sealed class CliRun : IDisposable
{
    private readonly StringBuilder _output = new();

    private CliRun(Process process) => Process = process;

    public Process Process { get; }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static CliRun Start(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(CliPath());
        foreach (string a in arguments) start.ArgumentList.Add(a);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start robotbridge");
        var run = new CliRun(process);
        process.OutputDataReceived += (_, e) => run.Add(e.Data);
        process.ErrorDataReceived += (_, e) => run.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return run;
    }

    /// <summary>Runs to the end: exit code and everything printed.</summary>
    public static async Task<(int Code, string Output)> RunAsync(TimeSpan timeout, params string[] arguments)
    {
        using var run = Start(arguments);
        await run.WaitAsync(timeout);
        return (run.Process.ExitCode, run.Output);
    }

    public async Task WaitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await Process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"robotbridge did not finish within {timeout}:\n{Output}");
        }
        Process.WaitForExit(); // drains the output handlers
    }

    private void Add(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private static string CliPath()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RobotBridge.sln"))) dir = dir.Parent;
        if (dir is null) throw new InvalidOperationException($"no RobotBridge.sln above {AppContext.BaseDirectory}");
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string path = Path.Combine(dir.FullName, "src", "RobotBridge.Cli", "bin", tfm.Parent!.Name, tfm.Name, "RobotBridge.Cli.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"robotbridge is not built: {path}");
    }

    public void Dispose()
    {
        if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        Process.Dispose();
    }
}
