using System.Diagnostics;
using System.Globalization;
using RobotBridge.Model;
using RobotBridge.Robots;
using RobotBridge.Sim.Scene;
using RobotBridge.Sim.Tasks;
using RobotBridge.Sim.Twin;
using RobotBridge.Tasks;
using RobotBridge.Vision;
using RobotBridge.Vision.Tracking;

namespace RobotBridge.Cli.Bench;

/// <summary>
/// The camera object tracker against the twin's ground truth: the tagged cube placed at random positions
/// and yaws across a task's sampling region, one 640x480 frame per placement, the tracker's pose
/// compared with the truth; then Debian's <c>apriltag</c> command on the same frames.
/// </summary>
internal static class AprilTagBench
{
    public sealed record Result(int Frames, int Detected, double[] ErrorsMm, double[] LatencyMs, string ImageDirectory);

    /// <param name="armAtStart">The arm in the task's start pose (as an episode begins) instead of tucked.</param>
    /// <param name="deployable">The deployable family's start pose and head aim instead of the v4 ids'.</param>
    public static Result Run(FetchTaskKind kind, int frames, int seed, bool armAtStart, float decimate, string imageDirectory, bool deployable = false)
    {
        FetchTaskSpec spec = deployable ? FetchTaskSpec.DeployableFor(kind) : FetchTaskSpec.For(kind);
        Vec3 region = spec.RegionCentre;
        RobotModel model = FetchModel.Load();
        var arm = new FetchArmKinematics(model);
        var (pan, tilt) = arm.AimHead(spec.HeadTarget, spec.StartTorso);
        double[] start = arm.SolveStartJoints(spec.StartGripPosition, spec.StartTorso, pan, tilt);
        double[] joints = armAtStart ? start : Tucked(start);
        using var twin = new FetchTwin(new FetchTwinOptions { Camera = HeadCameraOptions.Carmine with { Depth = false } });
        twin.SetRobotJoints(joints);
        twin.SendGripper(0, 60);
        SceneObject item = kind == FetchTaskKind.Slide ? SceneObject.Puck : SceneObject.Cube;
        twin.SetObjectPose(item == SceneObject.Cube ? SceneObject.Puck : SceneObject.Cube, ScenePose.At(-1.0, 0.5, 0.025));
        Directory.CreateDirectory(imageDirectory);
        using var recorder = new FrameRecorder(twin, imageDirectory);
        using var tracker = new CameraObjectTracker(recorder, model, CameraTrackerConfig.Default() with { Decimate = decimate }, item == SceneObject.Puck ? "puck" : "cube");
        var truth = new TwinObjectTracker(twin, item);
        var rng = new Random(seed);
        var errors = new List<double>();
        var latency = new List<double>();
        int detected = 0;
        TimeSpan framePeriod = TimeSpan.FromSeconds(1 / HeadCameraOptions.Carmine.Rate);
        for (int i = 0; i < frames; i++)
        {
            double x = region.X + spec.ObjectRange * (2 * rng.NextDouble() - 1);
            double y = region.Y + spec.ObjectRange * (2 * rng.NextDouble() - 1);
            double yaw = Math.PI * (2 * rng.NextDouble() - 1);
            twin.SetObjectPose(item, new ScenePose(x, y, spec.ObjectRestHeight, Math.Cos(yaw / 2), 0, 0, Math.Sin(yaw / 2)));
            long before = tracker.FramesProcessed;
            // The next frame after the placement, whole (a frame period and a physics step).
            twin.Clock.WaitUntil(twin.Clock.Now + framePeriod + TimeSpan.FromMilliseconds(2));
            bool tracked = tracker.TryGetObjectState(out ObjectState seen);
            if (tracker.FramesProcessed == before)
            {
                throw new InvalidOperationException("the twin rendered no frame within one frame period");
            }
            latency.Add(tracker.LastProcessingTime.TotalMilliseconds);
            if (tracked && truth.TryGetObjectState(out ObjectState real))
            {
                detected++;
                errors.Add((seen.Position - real.Position).Length * 1000);
            }
        }
        return new Result(frames, detected, [.. errors], [.. latency], imageDirectory);
    }

    /// <summary>Runs <c>apriltag -i 1 -t 1 -x D</c> (the tracker's decimation) on the recorded frames;
    /// returns frames with a detection and the per-frame detection times it reports. One iteration per
    /// image: with <c>-i</c> above 1 the 3.3.0 tool finds nothing after the first pass.</summary>
    public static (int Detected, double[] TimesMs)? RunDebianTool(string imageDirectory, float decimate)
    {
        string[] images = Directory.GetFiles(imageDirectory, "*.pgm").Order(StringComparer.Ordinal).ToArray();
        var start = new ProcessStartInfo("apriltag") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { "-i", "1", "-t", "1", "-x", decimate.ToString(CultureInfo.InvariantCulture) }.Concat(images))
        {
            start.ArgumentList.Add(argument);
        }
        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
        using (process)
        {
            if (process is null)
            {
                return null;
            }
            // The tool prints its per-image lines on stderr and its timing profile on stdout.
            Task<string> profile = process.StandardOutput.ReadToEndAsync();
            var times = new List<double>();
            int detected = 0;
            // Per image: "hamm  n0 n1 … n9  time_ms  nquads"; the block after "Summary" repeats the totals.
            bool summary = false;
            while (process.StandardError.ReadLine() is { } line)
            {
                if (line.StartsWith("Summary", StringComparison.Ordinal))
                {
                    summary = true;
                }
                else if (line.StartsWith("loading", StringComparison.Ordinal))
                {
                    summary = false;
                }
                else if (!summary && line.StartsWith("hamm", StringComparison.Ordinal))
                {
                    string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    int found = fields.Skip(1).Take(10).Sum(f => int.Parse(f, CultureInfo.InvariantCulture));
                    detected += found > 0 ? 1 : 0;
                    times.Add(double.Parse(fields[11], CultureInfo.InvariantCulture));
                }
            }
            process.WaitForExit();
            _ = profile.Result;
            return (detected, [.. times]);
        }
    }

    /// <summary>The detector alone (no pose, no colour conversion) on the recorded frames, as the Debian
    /// tool runs: frames with a detection and the wall time of each Detect call.</summary>
    public static (int Detected, double[] TimesMs) RunDetectorOnly(string imageDirectory, float decimate)
    {
        using var detector = new AprilTagDetector(new AprilTagDetectorOptions { Decimate = decimate, Threads = 1 });
        var found = new List<TagDetection>();
        var times = new List<double>();
        int detected = 0;
        foreach (string image in Directory.GetFiles(imageDirectory, "*.pgm").Order(StringComparer.Ordinal))
        {
            byte[] file = File.ReadAllBytes(image);
            const int width = 640, height = 480;
            ReadOnlySpan<byte> gray = file.AsSpan(file.Length - width * height);
            long started = Stopwatch.GetTimestamp();
            detector.Detect(gray, width, height, width, found);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            detected += found.Count > 0 ? 1 : 0;
        }
        return (detected, [.. times]);
    }

    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        double[] sorted = values.Order().ToArray();
        int index = (int)Math.Ceiling(p / 100.0 * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
    }

    private static double[] Tucked(double[] start)
    {
        var q = (double[])start.Clone();
        foreach (var (name, value) in SceneBuilder.HomePose)
        {
            q[FetchJoints.IndexOf(name)] = value;
        }
        return q;
    }

    /// <summary>Passes frames through to the tracker and writes each as a PGM for the Debian tool.</summary>
    private sealed class FrameRecorder(IRobot inner, string directory) : ForwardingRobot(inner)
    {
        private int _count;
        private byte[] _gray = [];

        public override CameraFrame? TryGetCameraFrame()
        {
            CameraFrame? frame = Inner.TryGetCameraFrame();
            if (frame is not null)
            {
                int pixels = frame.Width * frame.Height;
                if (_gray.Length < pixels)
                {
                    _gray = new byte[pixels];
                }
                Grayscale.FromRgb(frame.Rgb, _gray);
                PortableGraymap.Write(Path.Combine(directory, $"frame{_count++:D5}.pgm"), _gray, frame.Width, frame.Height);
            }
            return frame;
        }
    }
}
