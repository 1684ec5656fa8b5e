namespace RobotBridge.Model;

/// <summary>A rigid body of the robot (URDF &lt;link&gt;), immutable.</summary>
public sealed class Link
{
    internal Link(string name, int index, Inertial? inertial, IReadOnlyList<Visual> visuals, IReadOnlyList<Collision> collisions)
    {
        Name = name;
        Index = index;
        Inertial = inertial;
        Visuals = visuals;
        Collisions = collisions;
    }

    public string Name { get; }

    /// <summary>Position in <see cref="RobotModel.Links"/>.</summary>
    public int Index { get; }

    /// <summary>Null for massless frames (e.g. camera optical frames).</summary>
    public Inertial? Inertial { get; }

    public IReadOnlyList<Visual> Visuals { get; }
    public IReadOnlyList<Collision> Collisions { get; }

    /// <summary>The joint whose child this link is; null for the root.</summary>
    public Joint? ParentJoint { get; internal set; }

    /// <summary>Joints whose parent this link is, in document order.</summary>
    public IReadOnlyList<Joint> ChildJoints { get; internal set; } = [];

    public override string ToString() => Name;
}
