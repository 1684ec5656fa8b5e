using System.Diagnostics;
using System.Net.Sockets;

namespace RobotBridge.Tests.Recording;

/// <summary>A real ROS 1 master (<c>rosmaster --core</c>) on a free port, killed on dispose.</summary>
internal sealed class RosMaster : IDisposable
{
    private readonly Process _process;

    private RosMaster(Process process) => _process = process;

    public static RosMaster Start(int port, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("rosmaster") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("--core");
        info.ArgumentList.Add("-p");
        info.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        info.Environment["ROS_HOME"] = Path.Combine(Path.GetTempPath(), "robotbridge-ros-home");
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start rosmaster");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var master = new RosMaster(process);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"rosmaster exited with {process.ExitCode}");
            }
            try
            {
                using var probe = new TcpClient();
                probe.Connect("127.0.0.1", port);
                return master;
            }
            catch (SocketException)
            {
                Thread.Sleep(100);
            }
        }
        master.Dispose();
        throw new TimeoutException($"rosmaster did not listen on port {port} within 15 s");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process.Dispose();
    }
}
