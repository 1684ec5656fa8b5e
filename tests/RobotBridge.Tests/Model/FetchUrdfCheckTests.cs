using System.Diagnostics;
using RobotBridge.Model;

namespace RobotBridge.Tests.Model;

/// <summary>The ROS reference parser (urdfdom's check_urdf, Debian liburdfdom-tools) accepts urdf/fetch.urdf.</summary>
[Trait("Category", "Peer")]  // runs a ROS/urdfdom tool: not in the fast lane
public class FetchUrdfCheckTests
{
    [Fact]
    public void Check_urdf_accepts_the_fetch_and_sees_the_same_tree()
    {
        var start = new ProcessStartInfo("check_urdf", [FetchModel.Locate()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();

        Assert.True(process.ExitCode == 0, $"check_urdf failed ({process.ExitCode}): {errors}{output}");
        Assert.Contains("Successfully Parsed XML", output);
        Assert.Contains("root Link: base_link has 6 child(ren)", output);
        RobotModel fetch = FetchModel.Load();
        foreach (Link link in fetch.Links)
        {
            Assert.Contains(link.Name, output);
        }
    }

    [Fact]
    public void Check_urdf_rejects_what_our_loader_rejects()
    {
        // Cross-check one fault with the reference parser, so our "invalid" matches ROS's.
        string broken = File.ReadAllText(FetchModel.Locate()).Replace("<parent link=\"wrist_flex_link\"/>", "<parent link=\"no_such_link\"/>");
        string path = Path.Combine(Path.GetTempPath(), $"broken-{Environment.ProcessId}.urdf");
        File.WriteAllText(path, broken);
        try
        {
            var start = new ProcessStartInfo("check_urdf", [path]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using Process process = Process.Start(start)!;
            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.NotEqual(0, process.ExitCode);
            var e = Assert.Throws<UrdfFormatException>(() => UrdfLoader.Load(path));
            Assert.Contains("no_such_link", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
