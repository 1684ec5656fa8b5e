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

    // Hand derivations. Arm offsets along the chain's x (facts 1.2): shoulder_pan→lift 0.117 (and +0.06 z),
    // lift→upperarm 0.219, →elbow 0.133, →forearm 0.197, →wrist_flex 0.1245, →wrist_roll 0.1385, →gripper 0.16645.
    private const double ReachFromPan = 0.117 + 0.219 + 0.133 + 0.197 + 0.1245 + 0.1385 + 0.16645; // 1.09545
    private const double ReachFromLift = ReachFromPan - 0.117;
    private const double ReachFromElbow = 0.197 + 0.1245 + 0.1385 + 0.16645;

    private double[] Joints(params (string Name, double Value)[] values)
    {
        var q = new double[_fetch.VariableCount];
        foreach (var (name, value) in values)
        {
            q[_fetch.VariableIndexOf(name)] = value;
        }
        return q;
    }

    private Vec3 Gripper(double[] q) => new KinematicChain(_fetch, "gripper_link").Pose(q).Translation;

    [Fact]
    public void Torso_and_shoulder_pan_pose_matches_hand_values()
    {
        // Torso t lifts everything; pan a swings the straight arm about the vertical through x = 0.03265.
        double t = 0.2, a = 0.7;
        Vec3 expected = new(0.03265 + ReachFromPan * Math.Cos(a), ReachFromPan * Math.Sin(a), 0.78601 + t);
        AssertPosition(expected, Gripper(Joints((FetchJoints.TorsoLift, t), (FetchJoints.ShoulderPan, a))), 1e-9);
    }

    [Fact]
    public void Shoulder_lift_pose_matches_hand_values()
    {
        // Lift b pitches the arm about y through the shoulder_lift origin (0.14965, 0, 0.78601): +b points it down.
        double b = 0.9;
        Vec3 expected = new(0.14965 + ReachFromLift * Math.Cos(b), 0, 0.78601 - ReachFromLift * Math.Sin(b));
        AssertPosition(expected, Gripper(Joints((FetchJoints.ShoulderLift, b))), 1e-9);
    }

    [Fact]
    public void Upperarm_roll_turns_the_elbow_into_a_horizontal_hinge()
    {
        // Roll π/2 about the upper arm's x turns the elbow's y axis into z: elbow c then swings the forearm
        // left in the horizontal plane about the elbow at x = 0.14965 + 0.219 + 0.133.
        double c = -1.1;
        Vec3 expected = new(0.14965 + 0.352 + ReachFromElbow * Math.Cos(c), ReachFromElbow * Math.Sin(c), 0.78601);
        AssertPosition(expected, Gripper(Joints((FetchJoints.UpperarmRoll, Math.PI / 2), (FetchJoints.ElbowFlex, c))), 1e-9);
    }

    [Fact]
    public void Head_pan_and_tilt_move_the_camera_optical_frame_as_derived_by_hand()
    {
        // tilt pivot = pan origin + Rz(p)·(0.14253, 0, 0.057999); camera = tilt + Rz(p)·Ry(τ)·(0.055, 0.02, 0.0225).
        double t = 0.1, p = 0.5, tau = 0.6;
        double panZ = 0.37743 + t + 0.603001417713939;
        double lx = 0.055 * Math.Cos(tau) + 0.0225 * Math.Sin(tau), ly = 0.02, lz = -0.055 * Math.Sin(tau) + 0.0225 * Math.Cos(tau);
        double hx = 0.14253 + lx;
        Vec3 expected = new(
            -0.03375 + hx * Math.Cos(p) - ly * Math.Sin(p),
            hx * Math.Sin(p) + ly * Math.Cos(p),
            panZ + 0.057999 + lz);
        double[] q = Joints((FetchJoints.TorsoLift, t), (FetchJoints.HeadPan, p), (FetchJoints.HeadTilt, tau));
        AssertPosition(expected, new KinematicChain(_fetch, "head_camera_rgb_optical_frame").Pose(q).Translation, 1e-9);
    }

    [Fact]
    public void Whole_tree_fk_agrees_with_chain_fk_and_the_jacobian_with_finite_differences()
    {
        var random = new Random(7);
        var fk = new ForwardKinematics(_fetch);
        for (int trial = 0; trial < 10; trial++)
        {
            double[] q = _fetch.CreateHomeVector();
            for (int i = 0; i < q.Length; i++)
            {
                JointVariable v = _fetch.Variables[i];
                q[i] = double.IsFinite(v.Lower) ? v.Lower + (v.Upper - v.Lower) * random.NextDouble() : random.NextDouble() * 6 - 3;
            }
            fk.Compute(q);
            foreach (string link in new[] { "gripper_link", "head_camera_rgb_optical_frame", "l_gripper_finger_link", "bellows_link" })
            {
                var chain = new KinematicChain(_fetch, link);
                AssertPosition(fk.PoseOf(link).Translation, chain.Pose(q).Translation, 1e-12);
                JacobianAssert.MatchesFiniteDifferences(chain, q, 1e-6);
            }
        }
    }

    [Fact]
    public void Bellows_mimic_the_torso_at_half_scale()
    {
        var fk = new ForwardKinematics(_fetch);
        fk.Compute(Joints((FetchJoints.TorsoLift, 0.3)));
        // bellows_link sits on torso_lift_link and moves down (axis -z) by 0.5 · 0.3.
        Assert.Equal(0.37743 + 0.3 - 0.15, fk.PoseOf("bellows_link").Translation.Z, 12);
    }
}
