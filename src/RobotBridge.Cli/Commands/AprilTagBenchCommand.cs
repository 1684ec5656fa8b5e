using System.CommandLine;
using RobotBridge.Cli.Bench;
using RobotBridge.Tasks;
using RobotBridge.Vision.Interop;

namespace RobotBridge.Cli.Commands;

/// <summary>`robotbridge bench apriltag`: the camera object tracker's accuracy, detection rate and latency on
/// the twin against ground truth, side by side with Debian's apriltag command on the same frames.</summary>
internal static class AprilTagBenchCommand
{
    public static Command Create()
    {
        var frames = new Option<int>("--frames") { Description = "Placements of the object (one 640x480 frame each)", DefaultValueFactory = _ => 500 };
        var task = new Option<string>("--task") { Description = "Task whose sampling region and object are used: Push, PickAndPlace or Slide", DefaultValueFactory = _ => "Push" };
        var arm = new Option<string>("--arm") { Description = "Arm pose while measuring: tucked (out of view), start (the v4 task's start pose, as an episode begins) or deploy-start (the deployable family's start pose and head aim)", DefaultValueFactory = _ => "tucked" };
        var seed = new Option<int>("--seed") { Description = "Seed of the placements", DefaultValueFactory = _ => 0 };
        var decimate = new Option<float>("--decimate") { Description = "Quad decimation for both detectors (default: the shipped tag config's, 1; 2 is about 4x cheaper and misses the smallest tags)", DefaultValueFactory = _ => RobotBridge.Vision.Tracking.CameraTrackerConfig.Default().Decimate };
        var images = new Option<string?>("--images") { Description = "Directory for the frames (PGM) the Debian tool reads; default a temporary one, removed afterwards" };
        var command = new Command("apriltag",
            "AprilTag camera tracker on the twin vs ground truth (position error, detection rate, frame-to-pose latency) and Debian's apriltag command on the same frames.\n" +
            "Example: robotbridge bench apriltag --frames 500 --task Push --arm tucked");
        command.Options.Add(frames);
        command.Options.Add(task);
        command.Options.Add(arm);
        command.Options.Add(seed);
        command.Options.Add(images);
        command.Options.Add(decimate);
        command.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            TextWriter error = parse.InvocationConfiguration.Error;
            if (!Enum.TryParse(parse.GetValue(task), ignoreCase: true, out FetchTaskKind kind) || !FetchTaskSpec.For(kind).HasObject)
            {
                error.WriteLine($"robotbridge bench apriltag: --task \"{parse.GetValue(task)}\" is not one of: Push, PickAndPlace, Slide");
                return Program.UsageError;
            }
            string armPose = parse.GetValue(arm)!.ToLowerInvariant();
            if (armPose is not ("tucked" or "start" or "deploy-start"))
            {
                error.WriteLine($"robotbridge bench apriltag: --arm \"{parse.GetValue(arm)}\" is not one of: tucked, start");
                return Program.UsageError;
            }
            int n = parse.GetValue(frames);
            if (n < 1)
            {
                error.WriteLine($"robotbridge bench apriltag: --frames {n} must be at least 1");
                return Program.UsageError;
            }
            float x = parse.GetValue(decimate);
            if (!float.IsFinite(x) || x < 1 || x > 8)
            {
                error.WriteLine($"robotbridge bench apriltag: --decimate {x} must be between 1 and 8");
                return Program.UsageError;
            }
            string? given = parse.GetValue(images);
            string directory = given ?? Directory.CreateTempSubdirectory("robotbridge-apriltag-bench-").FullName;
            try
            {
                AprilTagBench.Result r;
                try
                {
                    r = AprilTagBench.Run(kind, n, parse.GetValue(seed), armPose is "start" or "deploy-start", x, directory, deployable: armPose == "deploy-start");
                }
                catch (AprilTagUnavailableException e)
                {
                    error.WriteLine($"robotbridge bench apriltag: {e.Message}");
                    return 1;
                }
                FetchTaskSpec spec = FetchTaskSpec.For(kind);
                output.WriteLine($"AprilTag tracker on the twin: Fetch{kind} {(kind == FetchTaskKind.Slide ? "puck" : "cube")}, {n} placements uniform over " +
                                 $"x {spec.StartGripPosition.X - spec.ObjectRange:F3}..{spec.StartGripPosition.X + spec.ObjectRange:F3} m, " +
                                 $"y {spec.StartGripPosition.Y - spec.ObjectRange:F3}..{spec.StartGripPosition.Y + spec.ObjectRange:F3} m, any yaw; " +
                                 $"arm {armPose}; head aimed at the table centre; 640x480 frames; {Environment.ProcessorCount} cores");
                output.WriteLine("| detector | detection rate | position error p50 | p95 | max | latency p50 | p99 |");
                output.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
                output.WriteLine($"| RobotBridge CameraObjectTracker (libapriltag 3.3.0 via P/Invoke, decimate {x}, 1 thread; RGB→gray, detect, pose, FK) " +
                                 $"| {Rate(r.Detected, r.Frames)} | {Mm(AprilTagBench.Percentile(r.ErrorsMm, 50))} | {Mm(AprilTagBench.Percentile(r.ErrorsMm, 95))} " +
                                 $"| {Mm(r.ErrorsMm.DefaultIfEmpty(double.NaN).Max())} | {Ms(AprilTagBench.Percentile(r.LatencyMs, 50))} | {Ms(AprilTagBench.Percentile(r.LatencyMs, 99))} |");
                var only = AprilTagBench.RunDetectorOnly(directory, x);
                output.WriteLine($"| RobotBridge AprilTagDetector.Detect alone (same frames, gray in, no pose) | {Rate(only.Detected, only.TimesMs.Length)} | – | – | – " +
                                 $"| {Ms(AprilTagBench.Percentile(only.TimesMs, 50))} | {Ms(AprilTagBench.Percentile(only.TimesMs, 99))} |");
                if (AprilTagBench.RunDebianTool(directory, x) is { } tool)
                {
                    output.WriteLine($"| Debian apriltag 3.3.0 (`apriltag -i 1 -t 1 -x {x}`, same frames; detect only) | {Rate(tool.Detected, tool.TimesMs.Length)} | – | – | – " +
                                     $"| {Ms(AprilTagBench.Percentile(tool.TimesMs, 50))} | {Ms(AprilTagBench.Percentile(tool.TimesMs, 99))} |");
                }
                else
                {
                    output.WriteLine("| Debian apriltag | not run: the `apriltag` command is missing (sudo apt-get install -y apriltag) | | | | | |");
                }
                output.WriteLine("error = |tracked − true| cube centre in base_link over the detected frames; latency = wall time from the frame to the pose (tracker) or the tool's own detection time.");
                return 0;
            }
            finally
            {
                if (given is null)
                {
                    Directory.Delete(directory, recursive: true);
                }
            }
        });
        return command;
    }

    private static string Rate(int hits, int total) => total == 0 ? "–" : $"{100.0 * hits / total:F1} % ({hits}/{total})";
    private static string Mm(double v) => double.IsNaN(v) ? "–" : $"{v:F2} mm";
    private static string Ms(double v) => double.IsNaN(v) ? "–" : $"{v:F1} ms";
}
