using RobotBridge.Robots;

namespace RobotBridge.Safety;

/// <summary>
/// Everything the supervisor enforces, resolved once: per-joint limits in
/// <see cref="FetchJoints.All"/> order (URDF ranges and velocities, narrowed by the config, plus the
/// config's accelerations), the workspace box and the config's caps and bounds.
/// </summary>
public sealed class SafetyLimits
{
    private readonly JointLimit[] _joints;

    private SafetyLimits(JointLimit[] joints, SafetyConfig config)
    {
        _joints = joints;
        Config = config;
        Workspace = config.Workspace.ToBox();
    }

    /// <summary>Per-joint limits, index = position in <see cref="FetchJoints.All"/>.</summary>
    public IReadOnlyList<JointLimit> Joints => _joints;

    public WorkspaceBox Workspace { get; }

    public SafetyConfig Config { get; }

    /// <summary>
    /// Combines the URDF's joint limits (<paramref name="urdfJoints"/>: range and velocity, the
    /// acceleration field is ignored) with <paramref name="config"/>. Every joint of
    /// <see cref="FetchJoints.All"/> must be present; the config can only make limits tighter.
    /// </summary>
    public static SafetyLimits Create(IEnumerable<JointLimit> urdfJoints, SafetyConfig config)
    {
        ArgumentNullException.ThrowIfNull(urdfJoints);
        ArgumentNullException.ThrowIfNull(config);
        var byName = urdfJoints.ToDictionary(j => j.Joint, StringComparer.Ordinal);
        var joints = new JointLimit[FetchJoints.Count];
        for (int i = 0; i < joints.Length; i++)
        {
            string name = FetchJoints.All[i];
            if (!byName.TryGetValue(name, out var urdf))
            {
                throw new ArgumentException($"the robot model has no limits for joint {name}; the supervisor needs every joint of FetchJoints.All");
            }
            if (!(urdf.MaxVelocity > 0) || (urdf.HasPositionLimits && !(urdf.Lower < urdf.Upper)))
            {
                throw new ArgumentException($"the robot model's limits for {name} are unusable: range [{urdf.Lower}, {urdf.Upper}], velocity {urdf.MaxVelocity}");
            }
            double velocity = urdf.MaxVelocity * config.VelocityScale;
            if (config.VelocityLimits.TryGetValue(name, out double tighter))
            {
                velocity = Math.Min(velocity, tighter);
            }
            joints[i] = urdf with { MaxVelocity = velocity, MaxAcceleration = config.AccelerationLimits[name] };
            if (config.PositionLimits.TryGetValue(name, out double[]? range))
            {
                if (urdf.HasPositionLimits && (range[0] < urdf.Lower || range[1] > urdf.Upper))
                {
                    throw new ArgumentException(
                        $"safety config position_limits.{name} [{range[0]}, {range[1]}] reaches outside the URDF range [{urdf.Lower}, {urdf.Upper}]; the config may only narrow it");
                }
                joints[i] = joints[i] with { HasPositionLimits = true, Lower = range[0], Upper = range[1] };
            }
        }
        return new SafetyLimits(joints, config);
    }
}
