using RobotBridge.Model;
using RobotBridge.Model.Kinematics;
using RobotBridge.Robots;

namespace RobotBridge.Safety;

/// <summary>
/// Gripper forward kinematics from the URDF robot model, mapping <see cref="FetchJoints.All"/> order
/// onto the model's joint vector. Not thread-safe (the supervisor serialises its calls).
/// </summary>
public sealed class ModelGripperKinematics : IGripperKinematics
{
    private readonly KinematicChain _chain;
    private readonly int[] _slots;
    private readonly double[] _q;

    public ModelGripperKinematics(RobotModel model, string tipLink = "gripper_link")
    {
        ArgumentNullException.ThrowIfNull(model);
        _chain = new KinematicChain(model, tipLink);
        _q = new double[model.VariableCount];
        _slots = new int[FetchJoints.Count];
        for (int i = 0; i < _slots.Length; i++)
        {
            _slots[i] = model.VariableIndexOf(FetchJoints.All[i]);
            if (_slots[i] < 0)
            {
                throw new ArgumentException($"robot model '{model.Name}' ({model.Source}) has no joint {FetchJoints.All[i]}");
            }
        }
        // A fixed offset on the Fetch (gripper_axis, 0.166 m); measured at one pose, it holds at all.
        Vec3 tip = _chain.Pose(_q).Translation, wrist = new KinematicChain(model, WristLink).Pose(_q).Translation;
        WristToGripper = Math.Sqrt((tip.X - wrist.X) * (tip.X - wrist.X) + (tip.Y - wrist.Y) * (tip.Y - wrist.Y) + (tip.Z - wrist.Z) * (tip.Z - wrist.Z));
    }

    /// <summary>The link whose twist the arm's Cartesian twist controller takes.</summary>
    public const string WristLink = "wrist_roll_link";

    public double WristToGripper { get; }

    public (double X, double Y, double Z) GripperPosition(ReadOnlySpan<double> positions)
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            _q[_slots[i]] = positions[i];
        }
        Vec3 p = _chain.Pose(_q).Translation;
        return (p.X, p.Y, p.Z);
    }
}

/// <summary>Builds the supervisor's inputs from the URDF model.</summary>
public static class ModelSafety
{
    /// <summary>Joint ranges and velocities of <see cref="FetchJoints.All"/> from the model, combined with the config.</summary>
    public static SafetyLimits Limits(RobotModel model, SafetyConfig config)
    {
        ArgumentNullException.ThrowIfNull(model);
        var urdf = FetchJoints.All.Select(name =>
        {
            Joint joint = model.GetJoint(name);
            JointLimits limits = joint.Limits
                ?? throw new ArgumentException($"joint {name} in {model.Source} has no <limit>; the supervisor needs its velocity limit");
            return new JointLimit(name, limits.HasPositionLimits && joint.Type != JointType.Continuous,
                limits.Lower, limits.Upper, limits.Velocity, double.NaN);
        });
        return SafetyLimits.Create(urdf, config);
    }

    /// <summary>
    /// A supervisor for the Fetch: limits and kinematics from urdf/fetch.urdf, rules from
    /// <paramref name="config"/> (the shipped fetch-safety.json when null), stops through <paramref name="latch"/>.
    /// </summary>
    public static SafetySupervisor SuperviseFetch(IRobot robot, EStopLatch latch, SafetyConfig? config = null, RobotModel? model = null, bool ownsRobot = true)
    {
        model ??= FetchModel.Load();
        config ??= SafetyConfig.Default();
        return new SafetySupervisor(robot, Limits(model, config), new ModelGripperKinematics(model), latch, ownsRobot);
    }
}
