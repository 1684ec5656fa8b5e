namespace RobotBridge.Model.Kinematics;

/// <summary>
/// The serial chain from the model's root to one frame (a link, optionally followed by a fixed tool
/// offset): forward kinematics and the geometric Jacobian of that frame, allocation free.
/// Holds scratch buffers: not thread-safe (one instance per thread; construction is cheap).
/// </summary>
public sealed class KinematicChain
{
    /// <summary>Fixed transform applied before motion k (joint origins and fixed joints merged).</summary>
    private readonly RigidTransform[] _before;
    private readonly ElementaryMotion[] _motions;
    private readonly RigidTransform _tail;
    private readonly Vec3[] _axisWorld;
    private readonly Vec3[] _pointWorld;

    public KinematicChain(RobotModel model, Link tip, RigidTransform? toolOffset = null)
    {
        Model = model;
        Tip = tip;
        var before = new List<RigidTransform>();
        var motions = new List<ElementaryMotion>();
        RigidTransform pending = RigidTransform.Identity;
        foreach (Joint joint in RobotModel.JointsFromRoot(tip))
        {
            pending = pending * joint.Origin;
            foreach (ElementaryMotion m in ElementaryMotion.Of(joint))
            {
                before.Add(pending);
                motions.Add(m);
                pending = RigidTransform.Identity;
            }
        }
        _tail = pending * (toolOffset ?? RigidTransform.Identity);
        _before = [.. before];
        _motions = [.. motions];
        _axisWorld = new Vec3[_motions.Length];
        _pointWorld = new Vec3[_motions.Length];
        var vars = new SortedSet<int>(_motions.Select(m => m.Variable));
        Variables = [.. vars];
    }

    public KinematicChain(RobotModel model, string tipLink, RigidTransform? toolOffset = null)
        : this(model, model.GetLink(tipLink), toolOffset)
    {
    }

    public RobotModel Model { get; }

    public Link Tip { get; }

    /// <summary>Joint-vector slots that move the tip, ascending.</summary>
    public IReadOnlyList<int> Variables { get; }

    /// <summary>Pose of the tip frame in the root frame for the full joint vector <paramref name="q"/>.</summary>
    public RigidTransform Pose(ReadOnlySpan<double> q)
    {
        CheckLength(q);
        RigidTransform pose = RigidTransform.Identity;
        for (int k = 0; k < _motions.Length; k++)
        {
            ref readonly ElementaryMotion m = ref _motions[k];
            pose = m.AppliedTo(pose * _before[k], m.Value(q));
        }
        return pose * _tail;
    }

    /// <summary>
    /// Geometric Jacobian of the tip frame, in the root frame, about the tip origin: row-major 6 × N with
    /// rows (vx, vy, vz, ωx, ωy, ωz) and one column per joint-vector slot (N = VariableCount); columns of
    /// slots that do not move the tip are zero. Mimic joints add to their master's column.
    /// Returns the tip pose.
    /// </summary>
    public RigidTransform Jacobian(ReadOnlySpan<double> q, Span<double> jacobian)
    {
        int n = Model.VariableCount;
        if (jacobian.Length != 6 * n)
        {
            throw new ArgumentException($"Jacobian buffer has {jacobian.Length} values, expected 6 x {n}", nameof(jacobian));
        }
        jacobian.Clear();
        return JacobianColumns(q, jacobian, n, columnOf: default);
    }

    /// <summary>
    /// Jacobian restricted to selected slots: <paramref name="columnOf"/>[slot] is that slot's column in
    /// the row-major 6 × <paramref name="columns"/> <paramref name="jacobian"/>, or -1 to leave it out.
    /// The caller clears <paramref name="jacobian"/>. Empty <paramref name="columnOf"/> means identity.
    /// </summary>
    internal RigidTransform JacobianColumns(ReadOnlySpan<double> q, Span<double> jacobian, int columns, ReadOnlySpan<int> columnOf)
    {
        CheckLength(q);
        RigidTransform pose = RigidTransform.Identity;
        for (int k = 0; k < _motions.Length; k++)
        {
            ref readonly ElementaryMotion m = ref _motions[k];
            pose = pose * _before[k];
            _axisWorld[k] = pose.Rotation * m.Axis;
            _pointWorld[k] = pose.Translation;
            pose = m.AppliedTo(pose, m.Value(q));
        }
        pose = pose * _tail;
        Vec3 tip = pose.Translation;
        for (int k = 0; k < _motions.Length; k++)
        {
            ref readonly ElementaryMotion m = ref _motions[k];
            int c = columnOf.IsEmpty ? m.Variable : columnOf[m.Variable];
            if (c < 0)
            {
                continue;
            }
            Vec3 a = _axisWorld[k];
            Vec3 v = m.IsRotation ? Vec3.Cross(a, tip - _pointWorld[k]) : a;
            double s = m.Multiplier;
            jacobian[c] += s * v.X;
            jacobian[columns + c] += s * v.Y;
            jacobian[2 * columns + c] += s * v.Z;
            if (m.IsRotation)
            {
                jacobian[3 * columns + c] += s * a.X;
                jacobian[4 * columns + c] += s * a.Y;
                jacobian[5 * columns + c] += s * a.Z;
            }
        }
        return pose;
    }

    private void CheckLength(ReadOnlySpan<double> q)
    {
        if (q.Length != Model.VariableCount)
        {
            throw new ArgumentException($"joint vector has {q.Length} values, model '{Model.Name}' has {Model.VariableCount} variables", nameof(q));
        }
    }
}
