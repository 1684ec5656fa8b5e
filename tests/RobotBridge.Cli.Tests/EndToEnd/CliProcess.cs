using System.Diagnostics;
using System.Text;

namespace RobotBridge.Cli.Tests.EndToEnd;

/// <summary>
/// A <c>robotbridge</c> command run as its own process (<c>dotnet RobotBridge.Cli.dll …</c>, the CLI
/// built next to the tests), its output collected line by line so a test can wait for what it prints.
/// Disposing kills it if it still runs.
/// </summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly StringBuilder _error = new();
    private readonly Lock _gate = new();

    private CliProcess(Process process) => _process = process;

    /// <summary>The built CLI: copied next to the test assembly with its runtimeconfig, so `dotnet` can run it.</summary>
    public static string CliAssembly => typeof(Program).Assembly.Location;

    public static CliProcess Start(params string[] args)
    {
        // Started through Debian's python3 with SIGINT back at its default: a test run launched in the
        // background of a non-interactive shell inherits SIGINT ignored, the .NET runtime keeps an ignored
        // signal ignored, and Interrupt() would then reach a process that cannot hear it.
        var info = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true, // deploy reads it only for the operator's prompt (object tasks over rosbridge)
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp('dotnet', ['dotnet'] + sys.argv[1:])");
        info.ArgumentList.Add(CliAssembly);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        var process = new Process { StartInfo = info };
        var cli = new CliProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (cli._gate)
                {
                    cli._lines.Add(e.Data);
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (cli._gate)
                {
                    cli._error.AppendLine(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return cli;
    }

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_gate)
            {
                return _error.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Sends SIGINT, as Ctrl+C at the process's terminal does.</summary>
    public void Interrupt()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
        kill.WaitForExit();
    }

    /// <summary>Types <paramref name="line"/> (and Enter) into the process, as an operator at its terminal would.</summary>
    public void Answer(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>The first line printed so far that matches, or null.</summary>
    public string? Line(Func<string, bool> match)
    {
        lock (_gate)
        {
            return _lines.FirstOrDefault(match);
        }
    }

    /// <summary>Waits for a line that matches; fails the test (with everything printed) on timeout or exit.</summary>
    public string WaitForLine(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (Line(match) is { } line)
            {
                return line;
            }
            if (_process.HasExited && Line(match) is null)
            {
                _process.WaitForExit(); // drain the output
                if (Line(match) is { } late)
                {
                    return late;
                }
                Assert.Fail($"{what}: the process exited ({_process.ExitCode}) first.\nstdout:\n{Tail(Output)}\nstderr:\n{Error}");
            }
            if (waited.Elapsed > timeout)
            {
                Assert.Fail($"{what}: nothing after {timeout.TotalSeconds:F0} s.\nstdout:\n{Tail(Output)}\nstderr:\n{Error}");
            }
            Thread.Sleep(10);
        }
    }

    /// <summary>Waits for the process to end and returns its exit code; fails on timeout.</summary>
    public int WaitForExit(TimeSpan timeout, string what)
    {
        if (!_process.WaitForExit(timeout))
        {
            Assert.Fail($"{what}: still running after {timeout.TotalSeconds:F0} s.\nstdout:\n{Tail(Output)}\nstderr:\n{Error}");
        }
        _process.WaitForExit(); // flushes the redirected output
        return _process.ExitCode;
    }

    public static string Tail(string text, int lines = 60)
    {
        string[] all = text.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // never started or already gone
        }
        _process.Dispose();
    }
}
