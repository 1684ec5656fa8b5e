using RobotBridge.Model;
using RobotBridge.Robots;
using RobotBridge.Tasks;

namespace RobotBridge.Tests.Tasks;

/// <summary>A runstop engaged before the episode (another process's safety stop, the button) is named by
/// the reset, which sends nothing, instead of timing out on goals the robot aborts unmoved.</summary>
public sealed class RobotTaskWorldRunstopTests
{
    [Fact]
    public void A_reset_on_a_runstopped_robot_fails_naming_the_runstop_and_commands_nothing()
    {
        using var robot = new FakeRobot();
        robot.SetRunstop(true);
        var world = new RobotTaskWorld(robot, FetchTaskSpec.For(FetchTaskKind.Reach), FetchModel.Load());

        var error = Assert.Throws<TaskResetException>(() => world.PrepareEpisode(StartPose(), null));

        Assert.Contains("runstop engaged", error.Message);
        Assert.Contains("/enable_software_runstop", error.Message);
        Assert.DoesNotContain(robot.Log, line => line.StartsWith("trajectory", StringComparison.Ordinal));
        // It waited the runstop's bound (on the fake's virtual clock) for a release in flight, no longer.
        Assert.InRange(robot.Clock.Now.TotalSeconds, 2.0, 2.5);
    }

    [Fact]
    public void Without_a_runstop_the_same_reset_moves_home()
    {
        using var robot = new FakeRobot();
        var world = new RobotTaskWorld(robot, FetchTaskSpec.For(FetchTaskKind.Reach), FetchModel.Load());

        world.PrepareEpisode(StartPose(), null);

        Assert.Contains("trajectory Arm", robot.Log);
    }

    private static double[] StartPose()
    {
        var start = new double[FetchJoints.Count];
        start[FetchJoints.IndexOf("shoulder_pan_joint")] = 0.3;
        start[FetchJoints.IndexOf("shoulder_lift_joint")] = -0.5;
        start[FetchJoints.IndexOf("elbow_flex_joint")] = 1.2;
        return start;
    }
}
