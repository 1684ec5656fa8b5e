using RobotBridge.Robots;
using RobotBridge.Sim.Controllers;
using RobotBridge.Sim.Twin;

namespace RobotBridge.Sim.Tests.Sim;

public class FetchTwinGripperTests
{
    /// <summary>Arm over the table with the gripper pointing straight down (pitch sums to π/2).</summary>
    internal static readonly double[] GripperDown = [0.0, -0.6, 0.0, 0.8, 0.0, Math.PI / 2 - 0.2, 0.0];

    /// <summary>Puts the gripper, open and pointing down, around a cube resting on the table.</summary>
    internal static void GraspPose(FetchTwin twin)
    {
        twin.SendTrajectory(new JointTrajectory(JointGroup.Arm,
        [
            new TrajectoryPoint([1.32, -0.6, -0.2, 1.72, 0.0, 1.66, 0.0], null, TimeSpan.FromSeconds(2.0)),
            new TrajectoryPoint(GripperDown, null, TimeSpan.FromSeconds(4.0)),
        ]));
        twin.Clock.WaitUntil(twin.Clock.Now + TimeSpan.FromSeconds(4.5));
        Assert.Equal(TrajectoryStatus.Succeeded, twin.GetTrajectoryStatus(JointGroup.Arm));
        ScenePose gripper = twin.GetBodyPose("gripper_link");
        twin.SetObjectPose(SceneObject.Cube, ScenePose.At(gripper.X, gripper.Y, 0.425));
        // Lower the open gripper with the cartesian twist until its fingers straddle the cube.
        TimeSpan t = twin.Clock.Now;
        for (int i = 0; i < 400 && twin.GetBodyPose("gripper_link").Z > 0.432; i++)
        {
            twin.SendCartesianTwist(new Twist(0, 0, -0.1, 0, 0, 0));
            t += TimeSpan.FromMilliseconds(20);
            twin.Clock.WaitUntil(t);
        }
        twin.SendTrajectory(new JointTrajectory(JointGroup.Arm, [new TrajectoryPoint(ArmNow(twin), null, TimeSpan.FromSeconds(0.2))]));
        twin.Clock.WaitUntil(twin.Clock.Now + TimeSpan.FromSeconds(0.5));
        Assert.InRange(twin.GetBodyPose("gripper_link").Z, 0.41, 0.45);
    }

    internal static double[] ArmNow(FetchTwin twin)
    {
        var state = new RobotState();
        twin.ReadState(state);
        return FetchJoints.Arm.Select(j => state.Position[FetchJoints.IndexOf(j)]).ToArray();
    }

    [Fact]
    public void Gripper_closes_on_the_cube_and_reports_it_held()
    {
        using var twin = new FetchTwin();
        var state = new RobotState();
        GraspPose(twin);
        twin.ReadState(state);
        Assert.False(state.GripperHolding);
        Assert.True(state.GripperSeparation > 0.09, $"gripper should be open, separation {state.GripperSeparation}");

        twin.SendGripper(0.0, 60);
        twin.Clock.WaitUntil(twin.Clock.Now + TimeSpan.FromSeconds(3));
        twin.ReadState(state);
        Assert.True(state.GripperHolding, $"not holding; separation {state.GripperSeparation}");
        Assert.InRange(state.GripperSeparation, 0.045, 0.055);

        // Lift: a held cube comes along.
        ScenePose before = twin.GetObjectPose(SceneObject.Cube);
        TimeSpan t = twin.Clock.Now;
        for (int i = 0; i < 50; i++)
        {
            twin.SendCartesianTwist(new Twist(0, 0, 0.1, 0, 0, 0));
            t += TimeSpan.FromMilliseconds(20);
            twin.Clock.WaitUntil(t);
        }
        ScenePose after = twin.GetObjectPose(SceneObject.Cube);
        Assert.True(after.Z - before.Z > 0.05, $"cube rose only {after.Z - before.Z:F3} m");
        twin.ReadState(state);
        Assert.True(state.GripperHolding);
    }

    [Fact]
    public void Closing_on_nothing_is_not_holding()
    {
        using var twin = new FetchTwin();
        var state = new RobotState();
        twin.SendGripper(0.0, 60);
        twin.Clock.WaitUntil(TimeSpan.FromSeconds(4));
        twin.ReadState(state);
        Assert.True(state.GripperSeparation < 0.004, $"separation {state.GripperSeparation}");
        Assert.False(state.GripperHolding);
    }
}
