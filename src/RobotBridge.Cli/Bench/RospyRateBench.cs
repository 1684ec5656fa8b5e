using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace RobotBridge.Cli.Bench;

/// <summary>
/// Runs rospy_rate_loop.py (Debian's python3-rospy, /usr/bin/python3) against a ROS master this
/// bench starts on a free port, and returns the loop's wake times.
/// </summary>
internal static class RospyRateBench
{
    public static double[] Run(double rateHz, double seconds, TextWriter log)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "Bench", "rospy_rate_loop.py");
        if (!File.Exists(script))
        {
            throw new FileNotFoundException($"rospy loop script missing next to the CLI: {script}");
        }
        string work = Directory.CreateTempSubdirectory("robotbridge-rospy-bench").FullName;
        int port = FreePort();
        string master = $"http://127.0.0.1:{port}";
        using var rosmaster = Process.Start(Start("rosmaster", $"--core -p {port}", work, master))
            ?? throw new InvalidOperationException("could not start rosmaster (Debian package ros-core / python3-rosmaster)");
        rosmaster.BeginOutputReadLine();
        try
        {
            WaitForPort(port, TimeSpan.FromSeconds(20));
            string output = Path.Combine(work, "wakes.txt");
            var info = Start("/usr/bin/python3",
                $"{script} {rateHz.ToString(CultureInfo.InvariantCulture)} {seconds.ToString(CultureInfo.InvariantCulture)} {output}", work, master);
            info.RedirectStandardError = true;
            using var python = Process.Start(info) ?? throw new InvalidOperationException("could not start /usr/bin/python3");
            python.BeginOutputReadLine();
            string stderr = python.StandardError.ReadToEnd();
            python.WaitForExit();
            if (python.ExitCode != 0)
            {
                throw new InvalidOperationException($"rospy loop failed (exit {python.ExitCode}): {stderr}");
            }
            return File.ReadAllLines(output).Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        }
        finally
        {
            if (!rosmaster.HasExited)
            {
                rosmaster.Kill(entireProcessTree: true);
                rosmaster.WaitForExit();
            }
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException ex)
            {
                log.WriteLine($"note: could not remove {work}: {ex.Message}");
            }
        }
    }

    private static ProcessStartInfo Start(string file, string args, string work, string master)
    {
        var info = new ProcessStartInfo(file, args)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            WorkingDirectory = work,
        };
        info.Environment["ROS_MASTER_URI"] = master;
        info.Environment["ROS_HOME"] = work;
        info.Environment["ROS_LOG_DIR"] = work;
        info.Environment["ROS_HOSTNAME"] = "127.0.0.1";
        return info;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void WaitForPort(int port, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(100);
            }
        }
        throw new TimeoutException($"rosmaster did not listen on port {port} within {timeout.TotalSeconds} s");
    }
}
