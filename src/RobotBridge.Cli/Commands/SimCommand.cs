using System.CommandLine;
using RobotBridge.Sim.Scene;

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
        return command;
    }

    private static Command CreateExportMjcf()
    {
        var output = new Option<FileInfo>("--output", "-o")
        {
            Description = "Where to write the MJCF (default: fetch_scene.xml in the current directory).",
            DefaultValueFactory = _ => new FileInfo("fetch_scene.xml"),
        };
        var urdf = new Option<FileInfo?>("--urdf") { Description = "Robot URDF (default: the urdf/fetch.urdf shipped with RobotBridge)." };
        var scene = new Option<FileInfo?>("--scene") { Description = "Scene template MJCF (default: urdf/scene/tabletop.xml)." };
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
