using RobotBridge.Model;
using RobotBridge.Model.Kinematics;
using RobotBridge.Robots;

namespace RobotBridge.Tests.Model;

public class FetchForwardKinematicsTests
{
    private readonly RobotModel _fetch = FetchModel.Load();

    private static void AssertPosition(Vec3 expected, Vec3 actual, double tolerance)
    {
        Assert.True((expected - actual).Length <= tolerance, $"expected {expected}, got {actual} (|error| {(expected - actual).Length:E3})");
    }

    [Fact]
    public void Variables_are_the_fetch_joints_in_state_vector_order()
    {
        Assert.Equal(FetchJoints.All, _fetch.Variables.Select(v => v.Name));
    }

    [Theory]
    // Facts file section 1.7 gives these to 5 decimals; the exact sums of the origins are used here.
    [InlineData("torso_lift_link", -0.086875, 0, 0.37743)]
    [InlineData("shoulder_pan_link", 0.03265, 0, 0.72601)]
    [InlineData("shoulder_lift_link", 0.14965, 0, 0.78601)]
    [InlineData("wrist_roll_link", 0.96165, 0, 0.78601)]
    [InlineData("gripper_link", 1.1281, 0, 0.78601)]
    [InlineData("head_pan_link", -0.03375, 0, 0.980431417713939)]
    [InlineData("head_tilt_link", 0.10878, 0, 1.038430417713939)]
    [InlineData("head_camera_rgb_optical_frame", 0.16378, 0.02, 1.060930417713939)]
    public void Zero_pose_matches_the_facts_file(string link, double x, double y, double z)
    {
        var q = new double[_fetch.VariableCount];
        var chain = new KinematicChain(_fetch, link);
        // The facts table rounds to 1e-5; our exact expectation adds the origins and must agree to 1e-9.
        AssertPosition(new Vec3(x, y, z), chain.Pose(q).Translation, 1e-9);
    }

    [Fact]
    public void Gripper_with_torso_fully_up_matches_the_facts_file()
    {
        var q = new double[_fetch.VariableCount];
        q[_fetch.VariableIndexOf(FetchJoints.TorsoLift)] = 0.38615;
        var pose = new KinematicChain(_fetch, "gripper_link").Pose(q);
        AssertPosition(new Vec3(1.1281, 0, 0.78601 + 0.38615), pose.Translation, 1e-9);
        Assert.Equal(1.17216, pose.Translation.Z, 5);
    }

    [Fact]
    public void Optical_frame_axes_follow_the_ros_camera_convention()
    {
        var q = new double[_fetch.VariableCount];
        Rotation3 r = new KinematicChain(_fetch, "head_camera_rgb_optical_frame").Pose(q).Rotation;
        AssertPosition(new Vec3(0, -1, 0), r.ColumnX, 1e-9); // image right = robot right
        AssertPosition(new Vec3(0, 0, -1), r.ColumnY, 1e-9); // image down = world down
        AssertPosition(new Vec3(1, 0, 0), r.ColumnZ, 1e-9);  // out of the lens = forward
    }
}
