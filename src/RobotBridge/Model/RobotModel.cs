using System.Collections.Frozen;

namespace RobotBridge.Model;

/// <summary>One slot of the model's joint vector.</summary>
/// <param name="Name">The joint name for 1-DoF joints; "joint/x", "joint/yaw" … for planar and floating joints.</param>
/// <param name="Lower">Lower position limit, −∞ if none.</param>
/// <param name="Upper">Upper position limit, +∞ if none.</param>
/// <param name="IsAngle">True if the slot is an angle (rad), false for a length (m).</param>
public sealed record JointVariable(string Name, Joint Joint, int Index, double Lower, double Upper, bool IsAngle);

/// <summary>
/// An immutable robot: a tree of links joined by joints, loaded from URDF by <see cref="UrdfLoader"/>.
/// A joint vector (length <see cref="VariableCount"/>) holds one value per joint variable, in document
/// order of the joints that own variables (see <see cref="Variables"/>). Name look-ups are O(1).
/// </summary>
public sealed class RobotModel
{
    private readonly FrozenDictionary<string, Link> _linksByName;
    private readonly FrozenDictionary<string, Joint> _jointsByName;
    private readonly FrozenDictionary<string, int> _variablesByName;

    internal RobotModel(string name, string source, IReadOnlyList<Link> links, IReadOnlyList<Joint> joints,
        IReadOnlyList<Material> materials, Link root, IReadOnlyList<JointVariable> variables, IReadOnlyList<Joint> treeOrder)
    {
        Name = name;
        Source = source;
        Links = links;
        Joints = joints;
        Materials = materials;
        Root = root;
        Variables = variables;
        JointsInTreeOrder = treeOrder;
        _linksByName = links.ToFrozenDictionary(l => l.Name, StringComparer.Ordinal);
        _jointsByName = joints.ToFrozenDictionary(j => j.Name, StringComparer.Ordinal);
        _variablesByName = variables.ToFrozenDictionary(v => v.Name, v => v.Index, StringComparer.Ordinal);
    }

    /// <summary>The robot's name attribute.</summary>
    public string Name { get; }

    /// <summary>Where the model was loaded from (path or given name).</summary>
    public string Source { get; }

    /// <summary>Links in document order.</summary>
    public IReadOnlyList<Link> Links { get; }

    /// <summary>Joints in document order.</summary>
    public IReadOnlyList<Joint> Joints { get; }

    /// <summary>Top-level materials.</summary>
    public IReadOnlyList<Material> Materials { get; }

    /// <summary>The one link that is no joint's child; every pose is expressed in its frame.</summary>
    public Link Root { get; }

    /// <summary>The joint vector's slots.</summary>
    public IReadOnlyList<JointVariable> Variables { get; }

    public int VariableCount => Variables.Count;

    /// <summary>Joints ordered so that every joint comes after the joint of its parent link (depth first).</summary>
    public IReadOnlyList<Joint> JointsInTreeOrder { get; }

    public Link GetLink(string name) =>
        _linksByName.TryGetValue(name, out Link? link) ? link
            : throw new KeyNotFoundException($"robot '{Name}' has no link '{name}'");

    public bool TryGetLink(string name, out Link link) => _linksByName.TryGetValue(name, out link!);

    public Joint GetJoint(string name) =>
        _jointsByName.TryGetValue(name, out Joint? joint) ? joint
            : throw new KeyNotFoundException($"robot '{Name}' has no joint '{name}'");

    public bool TryGetJoint(string name, out Joint joint) => _jointsByName.TryGetValue(name, out joint!);

    /// <summary>Slot of a variable (1-DoF joint name, or "joint/x" style names), or -1.</summary>
    public int VariableIndexOf(string name) => _variablesByName.TryGetValue(name, out int i) ? i : -1;

    /// <summary>Slots of the named variables, in the given order; throws naming the first unknown one.</summary>
    public int[] VariableIndicesOf(IEnumerable<string> names) =>
        names.Select(n => VariableIndexOf(n) is int i and >= 0 ? i
            : throw new KeyNotFoundException($"robot '{Name}' has no joint variable '{n}'")).ToArray();

    /// <summary>A joint vector of zeros clamped into the limits (the URDF home pose where 0 is allowed).</summary>
    public double[] CreateHomeVector()
    {
        var q = new double[VariableCount];
        ClampToLimits(q);
        return q;
    }

    /// <summary>Clamps every slot into its [Lower, Upper]; returns true if any value changed.</summary>
    public bool ClampToLimits(Span<double> q)
    {
        bool changed = false;
        for (int i = 0; i < Variables.Count; i++)
        {
            double c = Math.Clamp(q[i], Variables[i].Lower, Variables[i].Upper);
            changed |= c != q[i];
            q[i] = c;
        }
        return changed;
    }

    /// <summary>True if every slot is finite and within its limits (with <paramref name="tolerance"/>).</summary>
    public bool IsWithinLimits(ReadOnlySpan<double> q, double tolerance = 0)
    {
        for (int i = 0; i < Variables.Count; i++)
        {
            if (!double.IsFinite(q[i]) || q[i] < Variables[i].Lower - tolerance || q[i] > Variables[i].Upper + tolerance)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The joints on the path from the root to <paramref name="link"/>, root side first.</summary>
    public static IReadOnlyList<Joint> JointsFromRoot(Link link)
    {
        var path = new List<Joint>();
        for (Joint? j = link.ParentJoint; j != null; j = j.Parent.ParentJoint)
        {
            path.Add(j);
        }
        path.Reverse();
        return path;
    }
}
