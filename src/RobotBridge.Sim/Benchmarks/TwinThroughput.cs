using System.Diagnostics;
using System.Globalization;
using RobotBridge.Robots;
using RobotBridge.Sim.Camera;
using RobotBridge.Sim.Interop;
using RobotBridge.Sim.Scene;
using RobotBridge.Sim.Twin;

namespace RobotBridge.Sim.Benchmarks;

/// <summary>One measured rate.</summary>
public sealed record ThroughputResult(string Name, double PerSecond, string Unit, string Detail);

/// <summary>
/// Throughput of the twin against MuJoCo itself: physics steps/s and control steps/s (20 substeps of
/// 2 ms, as the Gym Fetch tasks) through <see cref="FetchTwin"/>, the same scene stepped by a plain C
/// loop of mj_step (compiled with gcc at run time against the installed headers), and head-camera
/// frames/s. Runs on the calling thread; each figure is the best of several repetitions.
/// </summary>
public static class TwinThroughput
{
    public const int ControlSubsteps = 20;

    public static double PhysicsStepsPerSecond(FetchTwin twin, int steps, int repetitions = 3)
    {
        twin.Step(500);
        double best = 0;
        for (int r = 0; r < repetitions; r++)
        {
            long start = Stopwatch.GetTimestamp();
            twin.Step(steps);
            best = Math.Max(best, steps / Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        return best;
    }

    /// <summary>A Gym-style control step: read the state, send a cartesian twist, advance 40 ms of sim time.</summary>
    public static double ControlStepsPerSecond(FetchTwin twin, int controlSteps, int repetitions = 3)
    {
        var state = new RobotState();
        TimeSpan period = TimeSpan.FromMilliseconds(2 * ControlSubsteps);
        double best = 0;
        for (int r = 0; r < repetitions; r++)
        {
            long start = Stopwatch.GetTimestamp();
            TimeSpan t = twin.Clock.Now;
            for (int i = 0; i < controlSteps; i++)
            {
                twin.ReadState(state);
                twin.SendCartesianTwist(new Twist(0.0, 0.0, 0.0, 0, 0, 0));
                t += period;
                twin.Clock.WaitUntil(t);
            }
            best = Math.Max(best, controlSteps / Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        return best;
    }

    /// <summary>Frames/s of the head camera's renderer alone (physics excluded), each frame rendered
    /// into a pooled <see cref="CameraFrame"/> as the twin does.</summary>
    public static (double FramesPerSecond, string Backend) FramesPerSecond(HeadCameraOptions camera, int frames, SceneFiles? files = null)
    {
        using SimModel model = SceneBuilder.BuildModel(files ?? SceneFiles.Default);
        using var data = new SimData(model);
        data.ResetToKeyframe(0);
        data.Forward();
        using var renderer = new OffscreenRenderer(model, SceneNames.HeadCamera, camera.Width, camera.Height);
        for (int i = 0; i < 3; i++)
        {
            RenderOne(renderer, data, camera);
        }
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < frames; i++)
        {
            RenderOne(renderer, data, camera);
        }
        return (frames / Stopwatch.GetElapsedTime(start).TotalSeconds, renderer.Backend);
    }

    private static void RenderOne(OffscreenRenderer renderer, SimData data, HeadCameraOptions camera)
    {
        using var frame = new CameraFrame(camera.Width, camera.Height, TimeSpan.Zero, camera.Depth);
        renderer.Render(data, frame.Rgb, camera.Depth ? frame.Depth : Span<float>.Empty);
    }

    /// <summary>Compiles mj_step_loop.c with gcc and runs it over <paramref name="mjcfPath"/>.</summary>
    public static double PlainCStepsPerSecond(string mjcfPath, int steps, string workDirectory, int repetitions = 3)
    {
        string source = Path.Combine(AppContext.BaseDirectory, "Benchmarks", "mj_step_loop.c");
        if (!File.Exists(source))
        {
            throw new FileNotFoundException($"benchmark source '{source}' is missing from the build output", source);
        }
        string binary = Path.Combine(workDirectory, "mj_step_loop");
        Run("gcc", ["-O2", "-I/usr/include", source, "-o", binary, "-lmujoco"], "gcc (install with: sudo apt-get install -y gcc libc6-dev libmujoco-dev)");
        double best = 0;
        for (int r = 0; r < repetitions; r++)
        {
            string output = Run(binary, [mjcfPath, steps.ToString(CultureInfo.InvariantCulture)], "the mj_step loop");
            string[] parts = output.Trim().Split(' ');
            best = Math.Max(best, double.Parse(parts[0], CultureInfo.InvariantCulture) / double.Parse(parts[1], CultureInfo.InvariantCulture));
        }
        return best;
    }

    private static string Run(string program, string[] arguments, string what)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {what}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"could not start {what}: {e.Message}", e);
        }
        using (process)
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{what} failed (exit {process.ExitCode}): {stderr.Result}");
            }
            return stdout.Result;
        }
    }
}
