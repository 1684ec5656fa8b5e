using RobotBridge.Sim.Interop;

namespace RobotBridge.Sim.Tests.Sim;

public class InteropLayoutTests
{
    [Fact]
    public void Checked_in_layout_constants_equal_what_gcc_computes_from_the_installed_headers()
    {
        string directory = Directory.CreateTempSubdirectory("layout-probe-").FullName;
        try
        {
            string probe = ProcessRunner.CompileC(directory, "mujoco_layout",
                "-Wall", "-Werror", RepoPaths.Of("src", "RobotBridge.Sim", "Interop", "mujoco_layout.c"));
            var (code, stdout, stderr) = ProcessRunner.Run(probe);
            Assert.True(code == 0, stderr);
            string checkedIn = File.ReadAllText(RepoPaths.Of("src", "RobotBridge.Sim", "Interop", "MuJoCoLayout.g.cs"));
            Assert.Equal(stdout.ReplaceLineEndings("\n"), checkedIn.ReplaceLineEndings("\n"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Loaded_library_is_the_pinned_version()
    {
        MuJoCoLibrary.EnsureLoaded();
        Assert.Equal(MuJoCoLibrary.RequiredVersion, MuJoCoNative.mj_version());
        Assert.Equal(MuJoCoLibrary.RequiredVersion, MjHeaderVersion.Value);
    }

    [Fact]
    public void A_model_that_does_not_compile_reports_MuJoCos_reason_and_the_file()
    {
        string path = Path.Combine(Path.GetTempPath(), $"bad-{Guid.NewGuid():N}.xml");
        File.WriteAllText(path, "<mujoco><worldbody><geom type=\"box\"/><nonsense/></worldbody></mujoco>");
        try
        {
            var error = Assert.Throws<SimModelLoadException>(() => SimModel.Load(path));
            Assert.Contains(path, error.Message);
            Assert.Contains("nonsense", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Model_and_data_views_read_the_native_structs()
    {
        string path = Path.Combine(Path.GetTempPath(), $"pendulum-{Guid.NewGuid():N}.xml");
        File.WriteAllText(path, """
            <mujoco><option timestep="0.005"/><worldbody>
              <body name="arm" pos="0 0 1"><joint name="hinge" axis="0 1 0" damping="0.25"/>
                <geom type="capsule" fromto="0 0 0 0.5 0 0" size="0.02" mass="2"/></body>
            </worldbody></mujoco>
            """);
        try
        {
            using var model = SimModel.Load(path);
            using var data = new SimData(model);
            Assert.Equal(1, model.Nq);
            Assert.Equal(0.005, model.Timestep);
            Assert.Equal(0.25, model.DofDamping[0]);
            Assert.Equal(2.0, model.BodyMass[model.RequireId(MjObject.Body, "arm")], 9);
            for (int i = 0; i < 100; i++)
            {
                data.Step();
            }
            Assert.Equal(0.5, data.Time, 9);
            Assert.True(data.Qpos[0] > 0.1, $"the horizontal pendulum should fall under gravity, q = {data.Qpos[0]}");
            Assert.Equal(0, data.WarningCount(MjWarningLayout.BadQacc));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
