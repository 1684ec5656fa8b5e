using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using RobotBridge.Ros.Client;
using RobotBridge.Ros.Fetch;
using RobotBridge.Ros.Messages;
using RobotBridge.Ros.Protocol;

namespace RobotBridge.Cli.Bench;

/// <summary>
/// Whether the head camera delays the served twin's joint states (issue 18): runs <c>robotbridge serve</c>
/// as a child process three times (camera off; on with nobody taking images; on with the images taken), and in each a client subscribed as the camera tracker
/// subscribes (joint states as JSON, the RGB and depth images as CBOR, every message decoded) records the
/// inter-arrival of the body's /joint_states messages (published at 100 Hz), with serve's own count of
/// late node cycles. A separate process, as deploy and eval run against serve, so the client's decoding and
/// garbage collection are not the server's.
/// </summary>
internal static partial class ServeCameraBench
{
    private const double WarmupSeconds = 3;

    public static int Run(TextWriter output, double seconds)
    {
        output.WriteLine($"serve's joint states with the head camera (640x480 RGB-D, 15 Hz) off and on: {seconds:0.#} s each after {WarmupSeconds:0} s warm-up, " +
                         $"client subscribed to {FetchTopics.JointStates} (JSON) and, in the last row, {FetchTopics.RgbImage} and {FetchTopics.DepthImage} (CBOR), " +
                         $"{Environment.ProcessorCount} cores");
        output.WriteLine("| camera | joint states/s | inter-arrival p50 | p99 | max | gaps > 100 ms | > 200 ms | images/s rgb / depth | node cycles late (serve's log) | load (1 min, start → end) |");
        output.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        int status = 0;
        // Camera on without image subscribers separates rendering (the twin renders whoever listens) from
        // encoding, sending and decoding the images.
        foreach (var (camera, images) in ((bool, bool)[])[(false, false), (true, false), (true, true)])
        {
            if (Measure(camera, images, seconds) is not { } row)
            {
                status = 1;
                continue;
            }
            output.WriteLine(row);
        }
        return status;
    }

    private static string? Measure(bool camera, bool images, double seconds)
    {
        string host = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ServeCameraBench).Assembly.Location);
        }
        foreach (string a in (string[])["serve", "--port", "0", "--object", "none", "--seconds",
                     (WarmupSeconds + seconds + 20).ToString(CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(a);
        }
        if (!camera)
        {
            start.ArgumentList.Add("--no-camera");
        }
        string loadStart = LoadAverage();
        using var serve = Process.Start(start) ?? throw new InvalidOperationException($"could not start {host}");
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var uriFound = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        serve.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { } line)
            {
                return;
            }
            lines.Enqueue(line);
            if (ListenLine().Match(line) is { Success: true } m)
            {
                uriFound.TrySetResult(new Uri(m.Groups[1].Value));
            }
        };
        serve.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lines.Enqueue(line);
            }
        };
        serve.BeginOutputReadLine();
        serve.BeginErrorReadLine();
        try
        {
            if (!uriFound.Task.Wait(TimeSpan.FromSeconds(60)))
            {
                Console.Error.WriteLine($"serve did not start within 60 s: {string.Join(" | ", lines)}");
                return null;
            }
            var meter = new ArrivalMeter();
            long rgb = 0, depth = 0;
            using (var client = new RosbridgeClient(new RosbridgeClientOptions(uriFound.Task.Result)))
            {
                int bodyJoints = FetchTopics.BodyJoints.Count;
                using var states = client.Subscribe<JointState>(FetchTopics.JointStates, onMessage: m =>
                {
                    if (m.Name.Count == bodyJoints)
                    {
                        meter.Tick();
                    }
                });
                var imageOptions = new SubscribeOptions { Compression = Compression.Cbor };
                using var rgbSub = images ? client.Subscribe<Image>(FetchTopics.RgbImage, imageOptions, _ => Interlocked.Increment(ref rgb)) : null;
                using var depthSub = images ? client.Subscribe<Image>(FetchTopics.DepthImage, imageOptions, _ => Interlocked.Increment(ref depth)) : null;
                client.Start();
                Thread.Sleep(TimeSpan.FromSeconds(WarmupSeconds));
                meter.Start();
                long rgb0 = Interlocked.Read(ref rgb), depth0 = Interlocked.Read(ref depth);
                Thread.Sleep(TimeSpan.FromSeconds(seconds));
                var gaps = meter.Stop(out double elapsed);
                double rgbRate = (Interlocked.Read(ref rgb) - rgb0) / elapsed, depthRate = (Interlocked.Read(ref depth) - depth0) / elapsed;
                string late = NodeLate(lines);
                return Row(camera, images, gaps, elapsed, rgbRate, depthRate, late, loadStart);
            }
        }
        finally
        {
            if (!serve.HasExited)
            {
                serve.Kill();
            }
            serve.WaitForExit();
        }
    }

    private static string Row(bool camera, bool images, List<double> gaps, double elapsed, double rgbRate, double depthRate, string late, string loadStart)
    {
        gaps.Sort();
        double Quantile(double q) => gaps.Count == 0 ? double.NaN : gaps[Math.Min(gaps.Count - 1, (int)Math.Ceiling(q * gaps.Count) - 1)];
        return string.Create(CultureInfo.InvariantCulture,
            $"| {(!camera ? "off" : images ? "on, images subscribed" : "on, images not subscribed")} | {(gaps.Count + 1) / elapsed:F1} | {Quantile(0.5):F1} ms | {Quantile(0.99):F1} ms | {(gaps.Count == 0 ? double.NaN : gaps[^1]):F1} ms | " +
            $"{gaps.Count(g => g > 100)} | {gaps.Count(g => g > 200)} | {(images ? $"{rgbRate:F1} / {depthRate:F1}" : "–")} | {late} | {loadStart} → {LoadAverage()} |");
    }

    /// <summary>serve's periodic "node overruns: N of M cycles late" lines so far, summed (serve prints one only for a
    /// 10 s period that had a late cycle, so M counts only those periods).</summary>
    private static string NodeLate(IEnumerable<string> lines)
    {
        long late = 0, cycles = 0;
        int reports = 0;
        foreach (string line in lines)
        {
            if (OverrunLine().Match(line) is { Success: true } m)
            {
                late += long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                cycles += long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
                reports++;
            }
        }
        return reports == 0 ? "0" : $"{late} (of {cycles} in the {reports} periods of 10 s with any)";
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    [GeneratedRegex(@"serving the MuJoCo Fetch twin on (ws://\S+)")]
    private static partial Regex ListenLine();

    [GeneratedRegex(@"node overruns: (\d+) of (\d+) cycles late")]
    private static partial Regex OverrunLine();

    /// <summary>Arrival times of one stream on the receive thread, as gaps in ms between consecutive messages.</summary>
    private sealed class ArrivalMeter
    {
        private readonly object _gate = new();
        private readonly List<double> _gaps = new(1 << 16);
        private long _last;
        private long _started;
        private bool _on;

        public void Tick()
        {
            long now = Stopwatch.GetTimestamp();
            lock (_gate)
            {
                if (_on && _last != 0)
                {
                    _gaps.Add(Stopwatch.GetElapsedTime(_last, now).TotalMilliseconds);
                }
                _last = now;
            }
        }

        public void Start()
        {
            lock (_gate)
            {
                _gaps.Clear();
                _started = Stopwatch.GetTimestamp();
                _on = true;
            }
        }

        public List<double> Stop(out double elapsedSeconds)
        {
            lock (_gate)
            {
                _on = false;
                elapsedSeconds = Stopwatch.GetElapsedTime(_started).TotalSeconds;
                return [.. _gaps];
            }
        }
    }
}
