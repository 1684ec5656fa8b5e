using RobotBridge.Model;
using RobotBridge.Robots;
using RobotBridge.Safety;

namespace RobotBridge.Tests.Safety;

public class ModelSafetyTests
{
    private static readonly RobotModel Model = FetchModel.Load();

    [Fact]
    public void Limits_come_from_the_urdf_and_the_config_only_tightens_them()
    {
        var limits = ModelSafety.Limits(Model, SafetyConfig.Default());
        var shoulderLift = limits.Joints[FetchJoints.IndexOf(FetchJoints.ShoulderLift)];
        Assert.True(shoulderLift.HasPositionLimits);
        Assert.Equal(-1.221, shoulderLift.Lower);
        Assert.Equal(1.518, shoulderLift.Upper);
        Assert.Equal(1.0, shoulderLift.MaxVelocity);      // config 1.0 < URDF 1.454
        Assert.Equal(1.0, shoulderLift.MaxAcceleration);
        var torso = limits.Joints[FetchJoints.IndexOf(FetchJoints.TorsoLift)];
        Assert.Equal(0.1, torso.MaxVelocity);
        Assert.False(limits.Joints[FetchJoints.IndexOf(FetchJoints.UpperarmRoll)].HasPositionLimits);
        Assert.False(limits.Joints[FetchJoints.IndexOf(FetchJoints.LWheel)].HasPositionLimits);
    }

    [Fact]
    public void Gripper_kinematics_match_the_zero_pose_from_the_urdf()
    {
        var fk = new ModelGripperKinematics(Model);
        var (x, y, z) = fk.GripperPosition(new double[FetchJoints.Count]);
        Assert.Equal(1.12810, x, 4);
        Assert.Equal(0, y, 4);
        Assert.Equal(0.78601, z, 4);
    }

    [Fact]
    public void The_tuck_pose_and_the_zero_pose_lie_inside_the_shipped_workspace()
    {
        var fk = new ModelGripperKinematics(Model);
        var box = SafetyConfig.Default().Workspace.ToBox();
        var tuck = new double[FetchJoints.Count];
        double[] arm = [1.32, 1.40, -0.2, 1.72, 0.0, 1.66, 0.0];
        for (int i = 0; i < arm.Length; i++)
        {
            tuck[FetchJoints.IndexOf(FetchJoints.Arm[i])] = arm[i];
        }
        tuck[FetchJoints.IndexOf(FetchJoints.TorsoLift)] = 0.05;
        var (x, y, z) = fk.GripperPosition(tuck);
        Assert.True(box.Contains(x, y, z, 0.05), $"tuck gripper at ({x:F3}, {y:F3}, {z:F3}) outside {box}");
        Assert.True(box.Contains(1.1281, 0, 0.786, 0.05));
    }
}

public class PositionLimitOverrideTests
{
    private static readonly RobotModel Model = FetchModel.Load();

    [Fact]
    public void The_config_can_narrow_a_joint_range()
    {
        var config = SafetyConfig.Default() with { PositionLimits = new() { [FetchJoints.WristFlex] = [-1.0, 1.0] } };
        var wrist = ModelSafety.Limits(Model, config).Joints[FetchJoints.IndexOf(FetchJoints.WristFlex)];
        Assert.Equal(-1.0, wrist.Lower);
        Assert.Equal(1.0, wrist.Upper);
    }

    [Fact]
    public void The_config_cannot_widen_a_joint_range()
    {
        var config = SafetyConfig.Default() with { PositionLimits = new() { [FetchJoints.WristFlex] = [-3.0, 1.0] } };
        var error = Assert.Throws<ArgumentException>(() => ModelSafety.Limits(Model, config));
        Assert.Contains("wrist_flex_joint", error.Message);
        Assert.Contains("only narrow", error.Message);
    }
}
