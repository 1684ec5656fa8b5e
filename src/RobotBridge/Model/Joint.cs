namespace RobotBridge.Model;

/// <summary>URDF joint types.</summary>
public enum JointType
{
    Fixed,
    /// <summary>Rotation about the axis within [lower, upper].</summary>
    Revolute,
    /// <summary>Rotation about the axis without position limits.</summary>
    Continuous,
    /// <summary>Translation along the axis within [lower, upper].</summary>
    Prismatic,
    /// <summary>Six variables: x, y, z translation then roll, pitch, yaw (R = Rz·Ry·Rx), in the joint frame.</summary>
    Floating,
    /// <summary>Three variables: two translations in the plane normal to the axis, then a rotation about it.</summary>
    Planar,
}

/// <summary>
/// URDF &lt;limit&gt;. Lower/Upper are ±∞ where the type has no position limits (continuous, floating,
/// planar) or the file gives none.
/// </summary>
public sealed record JointLimits(double Lower, double Upper, double Effort, double Velocity)
{
    public bool HasPositionLimits => double.IsFinite(Lower) && double.IsFinite(Upper);
}

/// <summary>URDF &lt;dynamics&gt;: viscous damping (N·s/m or N·m·s/rad) and Coulomb friction.</summary>
public sealed record JointDynamics(double Damping, double Friction);

/// <summary>URDF &lt;mimic&gt;: value = Multiplier · value(Joint) + Offset.</summary>
public sealed record JointMimic(string Joint, double Multiplier, double Offset);

/// <summary>
/// A joint (URDF &lt;joint&gt;), immutable. The child link frame is
/// parent · <see cref="Origin"/> · motion(q). Its position variables occupy
/// <see cref="VariableCount"/> slots of the model's joint vector from <see cref="VariableIndex"/>;
/// fixed and mimic joints own none (a mimic joint reads its master's slot).
/// </summary>
public sealed class Joint
{
    internal Joint(string name, int index, JointType type, Link parent, Link child, RigidTransform origin, Vec3 axis,
        JointLimits? limits, JointDynamics? dynamics, JointMimic? mimic, int line)
    {
        Name = name;
        Index = index;
        Type = type;
        Parent = parent;
        Child = child;
        Origin = origin;
        Axis = axis;
        Limits = limits;
        Dynamics = dynamics;
        Mimic = mimic;
        Line = line;
    }

    public string Name { get; }

    /// <summary>Position in <see cref="RobotModel.Joints"/>.</summary>
    public int Index { get; }

    public JointType Type { get; }
    public Link Parent { get; }
    public Link Child { get; }

    /// <summary>Child frame relative to the parent link frame at zero joint position.</summary>
    public RigidTransform Origin { get; }

    /// <summary>Unit axis in the joint frame (normalised from the file; default x).</summary>
    public Vec3 Axis { get; }

    public JointLimits? Limits { get; }
    public JointDynamics? Dynamics { get; }
    public JointMimic? Mimic { get; }

    /// <summary>The master joint of a mimic joint, else null.</summary>
    public Joint? MimicSource { get; internal set; }

    /// <summary>Line of the &lt;joint&gt; element in the source file.</summary>
    public int Line { get; }

    /// <summary>First slot in the joint vector, or -1 when the joint owns no variable.</summary>
    public int VariableIndex { get; internal set; } = -1;

    /// <summary>Slots owned: 0 (fixed, mimic), 1 (revolute, continuous, prismatic), 3 (planar), 6 (floating).</summary>
    public int VariableCount { get; internal set; }

    /// <summary>Degrees of freedom of the type, whether or not the joint is a mimic.</summary>
    public int DegreesOfFreedom => DofOf(Type);

    internal static int DofOf(JointType type) => type switch
    {
        JointType.Fixed => 0,
        JointType.Floating => 6,
        JointType.Planar => 3,
        _ => 1,
    };

    public override string ToString() => Name;
}
