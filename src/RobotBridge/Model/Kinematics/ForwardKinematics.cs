namespace RobotBridge.Model.Kinematics;

/// <summary>
/// Poses of every link of a model in the root frame for a joint vector. Holds its result buffer, so
/// <see cref="Compute"/> does not allocate; not thread-safe (one instance per thread).
/// For one link on the hot path, a <see cref="KinematicChain"/> is cheaper.
/// </summary>
public sealed class ForwardKinematics
{
    private readonly RobotModel _model;
    private readonly Joint[] _order;
    private readonly ElementaryMotion[][] _motions;
    private readonly RigidTransform[] _poses;

    public ForwardKinematics(RobotModel model)
    {
        _model = model;
        _order = [.. model.JointsInTreeOrder];
        _motions = _order.Select(ElementaryMotion.Of).ToArray();
        _poses = new RigidTransform[model.Links.Count];
    }

    public RobotModel Model => _model;

    /// <summary>Computes all link poses for <paramref name="q"/> (length <see cref="RobotModel.VariableCount"/>).</summary>
    public void Compute(ReadOnlySpan<double> q)
    {
        if (q.Length != _model.VariableCount)
        {
            throw new ArgumentException($"joint vector has {q.Length} values, model '{_model.Name}' has {_model.VariableCount} variables", nameof(q));
        }
        _poses[_model.Root.Index] = RigidTransform.Identity;
        for (int k = 0; k < _order.Length; k++)
        {
            Joint j = _order[k];
            RigidTransform pose = _poses[j.Parent.Index] * j.Origin;
            foreach (ElementaryMotion m in _motions[k])
            {
                pose = m.AppliedTo(pose, m.Value(q));
            }
            _poses[j.Child.Index] = pose;
        }
    }

    /// <summary>Pose of a link from the last <see cref="Compute"/>, in the root frame.</summary>
    public RigidTransform PoseOf(Link link) => _poses[link.Index];

    public RigidTransform PoseOf(string link) => _poses[_model.GetLink(link).Index];

    /// <summary>Pose of each link by <see cref="Link.Index"/> from the last <see cref="Compute"/>.</summary>
    public ReadOnlySpan<RigidTransform> Poses => _poses;
}
