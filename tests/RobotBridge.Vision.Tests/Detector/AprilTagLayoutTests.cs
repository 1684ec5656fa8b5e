using RobotBridge.Vision.Interop;

namespace RobotBridge.Vision.Tests.Detector;

public class AprilTagLayoutTests
{
    [Fact]
    public void Checked_in_layout_constants_equal_what_gcc_computes_from_the_installed_headers()
    {
        string directory = Directory.CreateTempSubdirectory("apriltag-layout-").FullName;
        try
        {
            string probe = ProcessRunner.CompileC(directory, "apriltag_layout",
                "-Wall", "-Werror", RepoPaths.Of("src", "RobotBridge.Vision", "Interop", "apriltag_layout.c"));
            var (code, stdout, stderr) = ProcessRunner.Run(probe);
            Assert.True(code == 0, stderr);
            string checkedIn = File.ReadAllText(RepoPaths.Of("src", "RobotBridge.Vision", "Interop", "AprilTagLayout.g.cs"));
            Assert.Equal(stdout.ReplaceLineEndings("\n"), checkedIn.ReplaceLineEndings("\n"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void The_installed_library_loads_and_passes_the_version_check()
    {
        AprilTagLibrary.EnsureLoaded(); // throws AprilTagUnavailableException naming the package otherwise
        TagImage tag = TagImage.Render(TagFamily.Tag36h11, 0);
        Assert.Equal(10, tag.Cells);
        Assert.Equal(8, tag.BlackCells);
    }
}
