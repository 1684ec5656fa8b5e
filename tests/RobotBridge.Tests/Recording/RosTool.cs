using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace RobotBridge.Tests.Recording;

/// <summary>Runs Debian's ROS 1 command-line tools (rosbag, rosmsg, the Python 3 ROS modules) for the
/// recording tests. The tools come from .ci/setup; a missing tool fails the test with its name.</summary>
internal static class RosTool
{
    /// <summary>The Debian Python, which can import rosbag/genpy (the pyenv python on PATH cannot).</summary>
    public const string Python = "/usr/bin/python3";

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public Result EnsureSuccess(string what)
        {
            Assert.True(ExitCode == 0, $"{what} exited {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
            return this;
        }
    }

    public static Result Run(string file, IEnumerable<string> args, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? environment = null, string? stdin = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        // ROS logs to ~/.ros by default; keep test runs out of the user's home.
        info.Environment["ROS_HOME"] = Path.Combine(Path.GetTempPath(), "robotbridge-ros-home");
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                info.Environment[key] = value;
            }
        }
        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in time");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs a Python 3 script with the Debian interpreter.</summary>
    public static Result PythonScript(string script, params string[] args) =>
        Run(Python, ["-c", script, .. args]);

    public static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
