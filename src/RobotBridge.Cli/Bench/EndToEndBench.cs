using System.Globalization;
using RobotBridge.Control;
using RobotBridge.Robots;
using RobotBridge.Ros.Fetch;
using RobotBridge.Ros.Server;
using RobotBridge.Safety;
using RobotBridge.Sim.Twin;

namespace RobotBridge.Cli.Bench;

/// <summary>
/// The deployment path's own delays, measured through rosbridge: command-to-motion latency (a
/// still → moving Cartesian command leaves the supervised 25 Hz loop → the first joint state measured
/// moving) and the age of the camera frame the policy gets, plus the joint state's age. The robot is
/// a twin served in this process exactly as <c>robotbridge serve</c> serves it (real time, 640×480
/// camera at 15 Hz), or any rosbridge Fetch given by URL (a <c>robotbridge serve</c> elsewhere, or the
/// real robot — its arm moves up and down by a few centimetres).
/// </summary>
/// <remarks>Times are on RosFetch's clock; the robot's stamps are mapped onto it by
/// <see cref="StampAlignment"/>, so ages leave out the fastest message's transport time.</remarks>
internal static class EndToEndBench
{
    /// <param name="cameraWidth">In-process twin only: camera width (640 = the Fetch's VGA; smaller keeps its 4:3 shape).</param>
    public static int Run(TextWriter output, Uri? robotUri, double seconds, string cameraTopic, int cameraWidth = 640)
    {
        var camera = cameraWidth == 640 ? HeadCameraOptions.Carmine : HeadCameraOptions.Carmine with { Width = cameraWidth, Height = cameraWidth * 3 / 4 };
        using FetchTwin? twin = robotUri is null
            ? new FetchTwin(new FetchTwinOptions { ClockMode = TwinClockMode.RealTime, Camera = camera })
            : null;
        RosbridgeServer? server = null;
        FetchRobotNode? node = null;
        try
        {
            if (twin is not null)
            {
                server = new RosbridgeServer(new RosbridgeServerOptions { Port = 0 });
                server.Start();
                node = new FetchRobotNode(server, twin);
            }
            Uri uri = robotUri ?? server!.Uri;
            output.WriteLine($"end-to-end through rosbridge: {(twin is null ? uri.ToString() : $"twin served in this process on {uri} (as robotbridge serve: real time, camera {camera.Width}x{camera.Height} @ 15 Hz)")}, " +
                $"camera {cameraTopic}, {seconds:0.#} s, {Environment.ProcessorCount} cores, load average {LoadAverage()}");
            return Measure(output, uri, seconds, cameraTopic);
        }
        finally
        {
            node?.Dispose();
            server?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static int Measure(TextWriter output, Uri uri, double seconds, string cameraTopic)
    {
        using var robot = new RosFetch(new RosFetchOptions(uri) { CameraTopic = cameraTopic });
        if (!robot.WaitForStateAsync(TimeSpan.FromSeconds(15)).GetAwaiter().GetResult())
        {
            output.WriteLine($"no joint states from {uri} within 15 s (link {robot.Link})");
            return 1;
        }
        var latch = new EStopLatch(new EStopLatchOptions { RobotTime = () => robot.Clock.Now });
        using var supervisor = ModelSafety.SuperviseFetch(robot, latch, ownsRobot: false);
        var pulses = new GripperPulses(robot.Clock);
        var states = new List<(TimeSpan Time, double Speed)>();
        List<double> transport;
        using (var sampler = new StateSampler(robot, states))
        {
            using (var loop = new ControlLoop(supervisor, pulses, new ControlLoopOptions { RateHz = 25, Camera = CameraIngestMode.Thread }))
            {
                loop.Start();
                Thread.Sleep(TimeSpan.FromSeconds(seconds));
                loop.Stop();
                output.WriteLine($"loop: {loop.Timing.Summarize()}");
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"this process: {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} gen0/1/2 collections, GC pauses {GC.GetTotalPauseDuration().TotalMilliseconds:F0} ms in total"));
            }
            sampler.Dispose();
            transport = sampler.Ages;
        }
        if (latch.IsStopped)
        {
            output.WriteLine($"the safety supervisor stopped the robot during the run, figures are not valid: {latch.Snapshot}");
            return 1;
        }
        List<double> latency = pulses.CommandToMotion(states);
        IReadOnlyList<double> camera = pulses.CameraAges();
        output.WriteLine("| figure | n | p50 | p99 | max |");
        output.WriteLine("| --- | --- | --- | --- | --- |");
        Row(output, "command-to-motion (still → moving command leaves the loop → first joint state measured moving)", latency);
        Row(output, "camera frame age at the policy (loop cycle − frame capture stamp)", camera);
        Row(output, "joint state transport beyond the fastest message (receive − mapped measurement stamp)", transport);
        return latency.Count == 0 || camera.Count == 0 ? 1 : 0;
    }

    private static void Row(TextWriter output, string what, IReadOnlyList<double> ms)
    {
        if (ms.Count == 0)
        {
            output.WriteLine($"| {what} | 0 | — | — | — |");
            return;
        }
        TimingSummary s = TimingSeries.Summarize([.. ms], ms.Count);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {what} | {s.Count} | {s.P50:F1} ms | {s.P99:F1} ms | {s.Max:F1} ms |"));
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    /// <summary>Every joint state the robot receives (polled every 2 ms on its own thread): measurement
    /// stamp, fastest arm joint speed, and its age when received.</summary>
    private sealed class StateSampler : IDisposable
    {
        private static readonly int[] Arm = [.. FetchJoints.Arm.Select(FetchJoints.IndexOf)];
        private readonly CancellationTokenSource _stop = new(); // not disposed: Dispose may run twice
        private readonly Thread _thread;

        public StateSampler(IRobot robot, List<(TimeSpan Time, double Speed)> into)
        {
            _thread = new Thread(() =>
            {
                var state = new RobotState();
                TimeSpan last = TimeSpan.MinValue;
                while (!_stop.IsCancellationRequested)
                {
                    robot.ReadState(state);
                    if (state.IsValid && state.ReceivedAt != last)
                    {
                        last = state.ReceivedAt;
                        double speed = Arm.Max(j => Math.Abs(state.Velocity[j]));
                        lock (into)
                        {
                            into.Add((state.Stamp, speed));
                            Ages.Add((state.ReceivedAt - state.Stamp).TotalMilliseconds);
                        }
                    }
                    _stop.Token.WaitHandle.WaitOne(2);
                }
            })
            { IsBackground = true, Name = "end-to-end bench state sampler" };
            _thread.Start();
        }

        public List<double> Ages { get; } = [];

        public void Dispose()
        {
            if (!_stop.IsCancellationRequested)
            {
                _stop.Cancel();
                _thread.Join();
            }
        }
    }
}
