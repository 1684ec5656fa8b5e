using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace RobotBridge.Teleop.Web.Tests;

/// <summary>
/// <c>robotbridge teleop serve --web-port 0</c> as a real process on the twin, the way an
/// operator starts it: the tests reach it only through its ports (the page, MQTT over WebSocket and TCP).
/// </summary>
internal sealed partial class ServeProcess : IAsyncDisposable
{
    public const string RobotPassword = "robot-pw";
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly TaskCompletionSource<Uri> _web = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _dir;

    private ServeProcess(Process process, string dir, int brokerPort)
    {
        _process = process;
        _dir = dir;
        BrokerPort = brokerPort;
    }

    public int BrokerPort { get; }

    public Uri WebAddress { get; private set; } = null!;

    public string Output
    {
        get { lock (_output) { return string.Join('\n', _output); } }
    }

    public static async Task<ServeProcess> StartAsync(params string[] extraArguments)
    {
        string dir = Directory.CreateTempSubdirectory("robotbridge-web-test-").FullName;
        string users = Path.Combine(dir, "users.txt");
        await File.WriteAllLinesAsync(users, [
            $"robot:{RobotPassword}:robot",
            $"{Accounts.Operator}:{Accounts.OperatorPassword}:operator",
            $"{Accounts.Helper}:{Accounts.HelperPassword}:operator",
            $"{Accounts.Observer}:{Accounts.ObserverPassword}:observer",
            $"{Accounts.Watcher}:{Accounts.WatcherPassword}:observer",
        ]);
        int port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in (string[])[CliPath(), "teleop", "serve", "--users", users, "--port", port.ToString(), "--web-port", "0", .. extraArguments])
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start robotbridge");
        var serve = new ServeProcess(process, dir, port);
        process.OutputDataReceived += (_, e) => serve.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => serve.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var started = await Task.WhenAny(serve._web.Task, Task.Delay(TimeSpan.FromSeconds(60)), process.WaitForExitAsync());
        if (started != serve._web.Task)
        {
            await serve.DisposeAsync();
            throw new InvalidOperationException($"teleop serve did not announce its web console:\n{serve.Output}");
        }
        serve.WebAddress = serve._web.Task.Result;
        return serve;
    }

    /// <summary>Runs the command line to its end (for option errors): exit code and everything it printed.</summary>
    public static async Task<(int Code, string Output)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(CliPath());
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout + await stderr);
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.Add(line);
        }
        if (WebLine().Match(line) is { Success: true } match)
        {
            _web.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"^web console on (\S+)")]
    private static partial Regex WebLine();

    /// <summary>The command line built next to this test project (same configuration).</summary>
    private static string CliPath()
    {
        // bin/<Configuration>/<tfm>/ of this test project names the configuration and framework to use.
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string path = Path.Combine(RepoPaths.Root, "src", "RobotBridge.Cli", "bin", tfm.Parent!.Name, tfm.Name, "RobotBridge.Cli.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"robotbridge is not built: {path}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // Ctrl+C first: serve prints the bridge's counters on the way out (kept in serve-output.log).
            using (var interrupt = Process.Start("kill", ["-INT", _process.Id.ToString()]))
            {
                await interrupt.WaitForExitAsync();
            }
            try
            {
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
            }
            catch (TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        await File.WriteAllTextAsync(Path.Combine(AppContext.BaseDirectory, "serve-output.log"), Output);
        _process.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>Accounts of the served robot (see <see cref="ServeProcess.StartAsync"/>).</summary>
internal static class Accounts
{
    public const string Operator = "alice";
    public const string OperatorPassword = "alice-pw";
    /// <summary>A scripted operator (MQTT over TCP) that keeps the robot resettable while an observer's page is tested.</summary>
    public const string Helper = "bob";
    public const string HelperPassword = "bob-pw";
    public const string Observer = "visitor";
    public const string ObserverPassword = "visitor-pw";
    /// <summary>The test's own eyes on the robot: an observer over MQTT/TCP.</summary>
    public const string Watcher = "watch";
    public const string WatcherPassword = "watch-pw";
}
