using RobotBridge.Model;
using RobotBridge.Model.Kinematics;

namespace RobotBridge.Tests.Model;

public class UrdfLoaderTests
{
    /// <summary>One joint of every type, a mimic, materials and every geometry kind.</summary>
    private const string AllTypes = """
        <robot name="zoo">
          <material name="red"><color rgba="1 0 0 1"/></material>
          <link name="world"/>
          <link name="cart">
            <inertial><origin xyz="0 0 0.1"/><mass value="2"/><inertia ixx="0.1" ixy="0" ixz="0" iyy="0.2" iyz="0" izz="0.3"/></inertial>
            <visual><geometry><box size="0.4 0.2 0.1"/></geometry><material name="red"/></visual>
            <collision><origin xyz="0 0 0.05" rpy="0 0 1.5707963267948966"/><geometry><cylinder radius="0.1" length="0.2"/></geometry></collision>
          </link>
          <link name="body"><visual><geometry><sphere radius="0.3"/></geometry><material name="inline"><color rgba="0 1 0 0.5"/></material></visual></link>
          <link name="arm"><visual><geometry><mesh filename="package://x/arm.stl" scale="2 2 2"/></geometry></visual></link>
          <link name="slider"/>
          <link name="wheel"/>
          <link name="follower"/>
          <link name="tool"/>
          <joint name="float" type="floating"><parent link="world"/><child link="body"/></joint>
          <joint name="plane" type="planar"><parent link="body"/><child link="cart"/><axis xyz="0 0 2"/></joint>
          <joint name="hinge" type="revolute"><parent link="cart"/><child link="arm"/><origin xyz="0.5 0 0"/><axis xyz="0 1 0"/>
            <limit lower="-1" upper="1" effort="10" velocity="2"/><dynamics damping="0.5" friction="0.1"/></joint>
          <joint name="slide" type="prismatic"><parent link="arm"/><child link="slider"/><origin xyz="0.3 0 0"/>
            <limit lower="0" upper="0.2" effort="100" velocity="0.1"/></joint>
          <joint name="spin" type="continuous"><parent link="slider"/><child link="wheel"/><axis xyz="0 0 1"/></joint>
          <joint name="copy" type="prismatic"><parent link="slider"/><child link="follower"/><axis xyz="0 0 1"/>
            <limit lower="-1" upper="1" effort="1" velocity="1"/><mimic joint="slide" multiplier="2" offset="0.01"/></joint>
          <joint name="mount" type="fixed"><parent link="wheel"/><child link="tool"/><origin xyz="0.1 0 0" rpy="0 0 0"/></joint>
          <transmission name="ignored"><type>x</type></transmission>
        </robot>
        """;

    [Fact]
    public void Reads_every_joint_type_with_origin_axis_limits_dynamics_and_mimic()
    {
        RobotModel m = UrdfLoader.Parse(AllTypes, "zoo.urdf");
        Assert.Equal("zoo", m.Name);
        Assert.Equal("world", m.Root.Name);
        Assert.Equal(
            ["float/x", "float/y", "float/z", "float/roll", "float/pitch", "float/yaw", "plane/x", "plane/y", "plane/theta", "hinge", "slide", "spin"],
            m.Variables.Select(v => v.Name));

        Joint hinge = m.GetJoint("hinge");
        Assert.Equal(JointType.Revolute, hinge.Type);
        Assert.Equal(new Vec3(0.5, 0, 0), hinge.Origin.Translation);
        Assert.Equal(Vec3.UnitY, hinge.Axis);
        Assert.Equal(new JointLimits(-1, 1, 10, 2), hinge.Limits);
        Assert.Equal(new JointDynamics(0.5, 0.1), hinge.Dynamics);
        Assert.Equal(Vec3.UnitZ, m.GetJoint("plane").Axis); // normalised
        Assert.Equal(JointType.Continuous, m.GetJoint("spin").Type);
        Assert.Equal(double.PositiveInfinity, m.Variables[m.VariableIndexOf("spin")].Upper);
        Joint copy = m.GetJoint("copy");
        Assert.Equal(new JointMimic("slide", 2, 0.01), copy.Mimic);
        Assert.Same(m.GetJoint("slide"), copy.MimicSource);
        Assert.Equal(-1, copy.VariableIndex);
        Assert.Equal(JointType.Fixed, m.GetJoint("mount").Type);

        Link cart = m.GetLink("cart");
        Assert.Equal(2, cart.Inertial!.Mass);
        Assert.Equal(0.3, cart.Inertial.Izz);
        Assert.Equal(new BoxGeometry(new Vec3(0.4, 0.2, 0.1)), cart.Visuals[0].Geometry);
        Assert.Equal(new Rgba(1, 0, 0, 1), cart.Visuals[0].Material!.Color);
        Assert.Equal(new CylinderGeometry(0.1, 0.2), cart.Collisions[0].Geometry);
        Assert.Equal(new SphereGeometry(0.3), m.GetLink("body").Visuals[0].Geometry);
        Assert.Equal(new MeshGeometry("package://x/arm.stl", new Vec3(2, 2, 2)), m.GetLink("arm").Visuals[0].Geometry);
        Assert.Same(m.GetJoint("plane"), cart.ParentJoint);
        Assert.Equal(["hinge"], cart.ChildJoints.Select(j => j.Name));
    }

    [Fact]
    public void Forward_kinematics_of_every_joint_type_matches_hand_composition()
    {
        RobotModel m = UrdfLoader.Parse(AllTypes, "zoo.urdf");
        var q = new double[m.VariableCount];
        // floating: translate (1, 2, 3), yaw 90°
        q[m.VariableIndexOf("float/x")] = 1;
        q[m.VariableIndexOf("float/y")] = 2;
        q[m.VariableIndexOf("float/z")] = 3;
        q[m.VariableIndexOf("float/yaw")] = Math.PI / 2;
        // planar about z: in-plane x, y axes of the joint, then a turn of 90° about z
        q[m.VariableIndexOf("plane/x")] = 0.5;
        q[m.VariableIndexOf("plane/theta")] = Math.PI / 2;
        q[m.VariableIndexOf("hinge")] = 0;
        q[m.VariableIndexOf("slide")] = 0.1;
        var fk = new ForwardKinematics(m);
        fk.Compute(q);

        // Body at (1,2,3) facing +y. Plane's in-plane x axis is perpendicular to z; whichever direction
        // it picks, the cart moved 0.5 m horizontally in the body's plane and turned 90° more (facing -x).
        Vec3 cart = fk.PoseOf("cart").Translation;
        Assert.Equal(3, cart.Z, 12);
        Assert.Equal(0.5, Math.Sqrt((cart.X - 1) * (cart.X - 1) + (cart.Y - 2) * (cart.Y - 2)), 12);
        Vec3 facing = fk.PoseOf("cart").Rotation.ColumnX;
        Assert.True((facing - new Vec3(-1, 0, 0)).Length < 1e-12, facing.ToString());
        // hinge 0.5 ahead (−x), slide 0.3 + 0.1 further along −x; mimic moves 2·0.1 + 0.01 up.
        Vec3 slider = fk.PoseOf("slider").Translation;
        Assert.True((slider - (cart + new Vec3(-0.9, 0, 0))).Length < 1e-12, slider.ToString());
        Vec3 follower = fk.PoseOf("follower").Translation;
        Assert.True((follower - (slider + new Vec3(0, 0, 0.21))).Length < 1e-12, follower.ToString());
    }

    [Fact]
    public void Jacobian_matches_finite_differences_for_every_joint_type()
    {
        RobotModel m = UrdfLoader.Parse(AllTypes, "zoo.urdf");
        var chain = new KinematicChain(m, "tool");
        var random = new Random(5);
        for (int trial = 0; trial < 20; trial++)
        {
            double[] q = new double[m.VariableCount];
            for (int i = 0; i < q.Length; i++)
            {
                q[i] = Math.Clamp(random.NextDouble() * 2 - 1, m.Variables[i].Lower, m.Variables[i].Upper);
            }
            JacobianAssert.MatchesFiniteDifferences(chain, q, 1e-6);
        }
    }

    [Fact]
    public void Loads_the_fetch_with_every_link_and_joint_of_the_facts_file()
    {
        RobotModel fetch = FetchModel.Load();
        Assert.Equal(26, fetch.Links.Count);
        Assert.Equal(25, fetch.Joints.Count);
        Assert.Equal("base_link", fetch.Root.Name);
        Joint lift = fetch.GetJoint("shoulder_lift_joint");
        Assert.Equal(new JointLimits(-1.221, 1.518, 131.76, 1.454), lift.Limits);
        Assert.Equal(1.0, lift.Dynamics!.Damping);
        Assert.Equal(70.1294, fetch.GetLink("base_link").Inertial!.Mass);
        Assert.Equal(0.5, fetch.GetJoint("bellows_joint").Mimic!.Multiplier);
        // Every link with mass has a positive-definite inertia and some collision geometry except the cosmetic bellows.
        foreach (Link link in fetch.Links.Where(l => l.Inertial != null))
        {
            Assert.True(link.Inertial!.Ixx > 0 && link.Inertial.Iyy > 0 && link.Inertial.Izz > 0, link.Name);
            Assert.True(link.Visuals.Count > 0, link.Name);
            Assert.True(link.Collisions.Count > 0 || link.Name.StartsWith("bellows", StringComparison.Ordinal), link.Name);
        }
        double total = fetch.Links.Sum(l => l.Inertial?.Mass ?? 0);
        Assert.Equal(121.28, total, 2);
    }
}

internal static class JacobianAssert
{
    public static void MatchesFiniteDifferences(KinematicChain chain, double[] q, double tolerance)
    {
        int n = q.Length;
        var jacobian = new double[6 * n];
        chain.Jacobian(q, jacobian);
        const double h = 1e-6;
        for (int c = 0; c < n; c++)
        {
            double[] plus = (double[])q.Clone(), minus = (double[])q.Clone();
            plus[c] += h;
            minus[c] -= h;
            RigidTransform a = chain.Pose(plus), b = chain.Pose(minus);
            Vec3 v = (1 / (2 * h)) * (a.Translation - b.Translation);
            Vec3 w = (1 / (2 * h)) * (a.Rotation * b.Rotation.Transposed).ToRotationVector();
            double[] expected = [v.X, v.Y, v.Z, w.X, w.Y, w.Z];
            for (int r = 0; r < 6; r++)
            {
                Assert.True(Math.Abs(expected[r] - jacobian[r * n + c]) < tolerance,
                    $"J[{r},{c}] = {jacobian[r * n + c]}, finite difference {expected[r]}");
            }
        }
    }
}
