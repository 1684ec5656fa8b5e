using System.CommandLine;
using RobotBridge.Sim.Benchmarks;
using RobotBridge.Sim.Scene;
using RobotBridge.Sim.Twin;

namespace RobotBridge.Cli.Commands;

/// <summary>
/// `robotbridge sim ...`: tools around the MuJoCo twin (export the compiled scene, benchmark it).
/// </summary>
internal static class SimCommand
{
    public static Command Create()
    {
        var command = new Command("sim", "Tools for the simulated Fetch twin (MuJoCo 2.2.2).\nExample: robotbridge sim export-mjcf -o fetch_scene.xml");
        command.Subcommands.Add(CreateExportMjcf());
        command.Subcommands.Add(CreateBench());
        return command;
    }

    private const int Repetitions = 5;

    private static Command CreateBench()
    {
        var steps = new Option<int>("--steps")
        {
            Description = "Physics steps per repetition (default 20000 = 40 s of sim time).",
            DefaultValueFactory = _ => 20000,
        }.Range(1000, 100_000_000);
        var frames = new Option<int>("--frames") { Description = "Frames per camera resolution (default 200).", DefaultValueFactory = _ => 200 }.Range(10, 1_000_000);
        var command = new Command("bench",
            "Measure the twin: physics steps/s and control steps/s (20 x 2 ms) against a plain C mj_step loop over the " +
            "same exported scene (gcc-compiled now), and head-camera frames/s at 84x84, 128x128 and 640x480 RGB+depth.\n" +
            "Example: robotbridge sim bench")
        {
            steps, frames,
        };
        command.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            int stepCount = parse.GetValue(steps), frameCount = parse.GetValue(frames);
            if (stepCount < 1000 || frameCount < 10)
            {
                parse.InvocationConfiguration.Error.WriteLine("robotbridge sim bench: --steps must be ≥ 1000 and --frames ≥ 10");
                return 1;
            }
            string directory = Directory.CreateTempSubdirectory("robotbridge-bench-").FullName;
            try
            {
                string mjcf = Path.Combine(directory, "fetch_scene.xml");
                SceneBuilder.BuildModel(SceneFiles.Default, mjcf).Dispose();
                // Interleaved repetitions, best of each: the machine's load drifts, and C and twin should see the same drift.
                double plainC = 0, physics = 0, control = 0;
                using (var physicsTwin = new FetchTwin())
                using (var controlTwin = new FetchTwin())
                {
                    for (int r = 0; r < Repetitions; r++)
                    {
                        plainC = Math.Max(plainC, TwinThroughput.PlainCStepsPerSecond(mjcf, stepCount, directory, repetitions: 1));
                        physics = Math.Max(physics, TwinThroughput.PhysicsStepsPerSecond(physicsTwin, stepCount, repetitions: 1));
                        control = Math.Max(control, TwinThroughput.ControlStepsPerSecond(controlTwin, stepCount / TwinThroughput.ControlSubsteps, repetitions: 1));
                    }
                }
                output.WriteLine($"MuJoCo {RobotBridge.Sim.Interop.MuJoCoLibrary.RequiredVersion}, scene {mjcf}, {Environment.ProcessorCount} cores, best of {Repetitions} interleaved runs");
                output.WriteLine($"plain C mj_step loop   {plainC,12:F0} steps/s   ({plainC / TwinThroughput.ControlSubsteps:F0} control steps/s equivalent)");
                output.WriteLine($"twin physics           {physics,12:F0} steps/s   ratio {physics / plainC:F3}");
                output.WriteLine($"twin control (20x2ms)  {control,12:F0} steps/s   ratio {control * TwinThroughput.ControlSubsteps / plainC:F3}");
                foreach (var camera in new[]
                         {
                             HeadCameraOptions.Policy(84, depth: false), HeadCameraOptions.Policy(84, depth: true),
                             HeadCameraOptions.Policy(128, depth: false), HeadCameraOptions.Policy(128, depth: true),
                             HeadCameraOptions.Carmine,
                         })
                {
                    var (fps, backend) = TwinThroughput.FramesPerSecond(camera, camera.Width > 200 ? Math.Max(10, frameCount / 4) : frameCount);
                    output.WriteLine($"camera {camera.Width}x{camera.Height} {(camera.Depth ? "RGB+depth" : "RGB      ")} {fps,10:F1} frames/s   ({backend})");
                }
                return 0;
            }
            catch (Exception e) when (e is InvalidOperationException or FileNotFoundException or SceneBuildException or
                                          RobotBridge.Sim.Interop.MuJoCoUnavailableException or RobotBridge.Sim.Interop.SimModelLoadException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"robotbridge sim bench: {e.Message}");
                return 1;
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        });
        return command;
    }

    private static Command CreateExportMjcf()
    {
        var output = new Option<FileInfo>("--output", "-o")
        {
            Description = "Where to write the MJCF (default: fetch_scene.xml in the current directory).",
            DefaultValueFactory = _ => new FileInfo("fetch_scene.xml"),
        }.OutputFile();
        var urdf = new Option<FileInfo?>("--urdf") { Description = "Robot URDF (default: the urdf/fetch.urdf shipped with RobotBridge)." }.InputFile();
        var scene = new Option<FileInfo?>("--scene") { Description = "Scene template MJCF (default: urdf/scene/tabletop.xml)." }.InputFile();
        var command = new Command("export-mjcf",
            "Write the twin's complete scene (robot from the URDF, table, cube, puck, actuators, head camera) as MJCF " +
            "that MuJoCo's own tools can open.\nExample: robotbridge sim export-mjcf -o fetch_scene.xml")
        {
            output, urdf, scene,
        };
        command.SetAction(parse =>
        {
            var files = new SceneFiles(
                parse.GetValue(urdf)?.FullName ?? SceneFiles.Default.RobotUrdf,
                parse.GetValue(scene)?.FullName ?? SceneFiles.Default.SceneTemplate);
            string path = parse.GetValue(output)!.FullName;
            try
            {
                // Compiling the written file proves it loads in MuJoCo as-is.
                using var model = SceneBuilder.BuildModel(files, path);
                parse.InvocationConfiguration.Output.WriteLine(
                    $"wrote {path} (nq {model.Nq}, nv {model.Nv}, nu {model.Nu}, bodies {model.NBody}, geoms {model.NGeom})");
                return 0;
            }
            catch (Exception e) when (e is SceneBuildException or RobotBridge.Sim.Interop.SimModelLoadException or RobotBridge.Sim.Interop.MuJoCoUnavailableException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"robotbridge sim export-mjcf: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
