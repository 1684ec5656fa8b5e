using System.Xml.Linq;
using RobotBridge.Robots;
using RobotBridge.Sim.Interop;
using RobotBridge.Sim.Scene;

namespace RobotBridge.Sim.Tests.Sim;

public class SceneBuilderTests
{
    [Fact]
    public void Scene_compiles_from_the_urdf_with_every_fetch_joint_servoed_and_the_head_camera()
    {
        using SimModel model = SceneBuilder.BuildModel(SceneFiles.Default);
        foreach (string joint in FetchJoints.All)
        {
            Assert.True(model.IdOf(MjObject.Joint, joint) >= 0, joint);
            Assert.True(model.IdOf(MjObject.Actuator, SceneNames.ServoOf(joint)) >= 0, joint);
        }
        int camera = model.RequireId(MjObject.Camera, SceneNames.HeadCamera);
        double expectedFovy = 2 * Math.Atan(Math.Tan(SceneBuilder.HeadCameraHorizontalFov / 2) * 480.0 / 640.0) * 180 / Math.PI;
        Assert.Equal(expectedFovy, model.CamFovy[camera], 6);
        Assert.Equal(0.002, model.Timestep);
        Assert.True(model.IdOf(MjObject.Body, SceneNames.Cube) >= 0);
        Assert.True(model.IdOf(MjObject.Body, SceneNames.Puck) >= 0);
    }

    [Fact]
    public void Robot_link_masses_come_from_the_urdf()
    {
        XDocument urdf = XDocument.Load(SceneFiles.Default.RobotUrdf);
        using SimModel model = SceneBuilder.BuildModel(SceneFiles.Default);
        foreach (XElement link in urdf.Root!.Elements("link"))
        {
            var mass = (double?)link.Element("inertial")?.Element("mass")?.Attribute("value");
            if (mass is { } expected)
            {
                int body = model.RequireId(MjObject.Body, (string)link.Attribute("name")!);
                Assert.Equal(expected, model.BodyMass[body], 6);
            }
        }
    }

    [Fact]
    public void Home_keyframe_steps_cleanly_for_two_seconds()
    {
        using SimModel model = SceneBuilder.BuildModel(SceneFiles.Default);
        using var data = new SimData(model);
        data.ResetToKeyframe(0);
        for (int i = 0; i < 1000; i++)
        {
            data.Step();
        }
        Assert.Equal(0, data.WarningCount(MjWarningLayout.BadQacc));
        Assert.All(data.Qpos.ToArray(), q => Assert.True(double.IsFinite(q)));
    }

    [Fact]
    public void Exported_mjcf_loads_and_steps_in_a_plain_C_MuJoCo_program()
    {
        string directory = Directory.CreateTempSubdirectory("export-").FullName;
        try
        {
            string mjcf = Path.Combine(directory, "fetch_scene.xml");
            SceneBuilder.BuildModel(SceneFiles.Default, mjcf).Dispose();
            string loop = ProcessRunner.CompileC(directory, "mj_step_loop",
                "-O2", RepoPaths.Of("src", "RobotBridge.Sim", "Benchmarks", "mj_step_loop.c"), "-lmujoco");
            var (code, stdout, stderr) = ProcessRunner.Run(loop, mjcf, "200");
            Assert.True(code == 0, stderr);
            Assert.StartsWith("200 ", stdout);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void A_missing_urdf_is_reported_by_path()
    {
        var files = SceneFiles.Default with { RobotUrdf = "/nonexistent/fetch.urdf" };
        var error = Assert.Throws<SceneBuildException>(() => SceneBuilder.Build(files));
        Assert.Contains("/nonexistent/fetch.urdf", error.Message);
    }

    [Fact]
    public void A_urdf_without_a_fetch_joint_is_refused_naming_the_joint()
    {
        XDocument urdf = XDocument.Load(SceneFiles.Default.RobotUrdf);
        urdf.Root!.Elements("joint").First(j => (string?)j.Attribute("name") == FetchJoints.WristRoll).SetAttributeValue("name", "renamed_joint");
        string path = Path.Combine(Path.GetTempPath(), $"fetch-{Guid.NewGuid():N}.urdf");
        urdf.Save(path);
        try
        {
            var error = Assert.Throws<SceneBuildException>(() => SceneBuilder.Build(SceneFiles.Default with { RobotUrdf = path }));
            Assert.Contains(FetchJoints.WristRoll, error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
