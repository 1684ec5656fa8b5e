using RobotBridge.Model;
using RobotBridge.Model.Kinematics;
using RobotBridge.Robots;

namespace RobotBridge.Tasks;

/// <summary>Which of the arm's redundant configurations a task starts in (the step IK stays near it).</summary>
public enum ArmPosture
{
    /// <summary>Shoulder lifted, elbow up in the arm's vertical plane: the familiar reaching posture. The
    /// elbow rises to the head camera's height 20 cm in front of it, and with the gripper near the middle
    /// of the table the upper arm and forearm fill the camera's view of the table.</summary>
    ElbowUp,

    /// <summary>Upper arm level and rolled so the elbow points out to the robot's right (shoulder height,
    /// ~0.84 m), the forearm reaching in from that side: the arm stays below the head camera's lines of
    /// sight to the table, which then sees an object the gripper works on most of the time.</summary>
    ElbowOut,
}

/// <summary>
/// The arm kinematics a Fetch task needs, on the URDF model: where the grip site is for a joint state,
/// and which arm joint targets move it by a small displacement while the gripper keeps pointing down
/// (Gymnasium keeps the gripper orientation fixed the same way). Converts between the robot's
/// <see cref="FetchJoints.All"/> order and the model's joint vector. One instance per env (it owns
/// its solver's scratch memory); no allocation per step.
/// </summary>
public sealed class FetchArmKinematics
{
    /// <summary>Gymnasium's grip site: 2 cm ahead of gripper_link along its x axis.</summary>
    public static readonly Vec3 GripSiteOffset = new(0.02, 0, 0);

    /// <summary>Gripper pointing straight down, fingers along the base y axis.</summary>
    public static readonly Rotation3 GripperDown = Rotation3.FromRpy(0, Math.PI / 2, 0);

    private readonly RobotModel _model;
    private readonly IkSolver _ik;
    private readonly KinematicChain _grip;
    private readonly int[] _modelSlotOfRobotJoint;
    private readonly int[] _armSlots;
    private readonly double[] _q;
    private readonly double[] _solution;

    public FetchArmKinematics(RobotModel model)
    {
        _model = model;
        var tool = RigidTransform.FromTranslation(GripSiteOffset);
        _ik = new IkSolver(model, "gripper_link", FetchJoints.Arm, new IkOptions { StepIterations = 30 }, tool);
        _grip = new KinematicChain(model, "gripper_link", tool);
        _modelSlotOfRobotJoint = new int[FetchJoints.Count];
        for (int i = 0; i < FetchJoints.Count; i++)
        {
            _modelSlotOfRobotJoint[i] = model.VariableIndexOf(FetchJoints.All[i]);
        }
        _armSlots = model.VariableIndicesOf(FetchJoints.Arm);
        if (_armSlots.Any(s => s < 0))
        {
            throw new ArgumentException($"model {model.Name} lacks one of the arm joints {string.Join(", ", FetchJoints.Arm)}");
        }
        _q = model.CreateHomeVector();
        _solution = new double[model.VariableCount];
        ArmVelocityLimits = _armSlots.Select(s => model.Variables[s].Joint.Limits?.Velocity ?? 1.0).ToArray();
    }

    public RobotModel Model => _model;

    /// <summary>URDF velocity limit of each arm joint (rad/s), in <see cref="FetchJoints.Arm"/> order.</summary>
    public IReadOnlyList<double> ArmVelocityLimits { get; }

    /// <summary>Grip-site position in the base frame for joint positions in FetchJoints.All order.</summary>
    public Vec3 GripPosition(ReadOnlySpan<double> robotJoints)
    {
        LoadModelVector(robotJoints);
        return _grip.Pose(_q).Translation;
    }

    /// <summary>
    /// Arm joint targets (FetchJoints.Arm order) that move the grip site to <paramref name="target"/>
    /// with the gripper pointing down (tilting only where vertical is out of reach), warm-started from
    /// <paramref name="robotJoints"/>. False (targets left at the current arm joints) when the IK does
    /// not converge.
    /// </summary>
    public bool TrySolveStep(ReadOnlySpan<double> robotJoints, in Vec3 target, Span<double> armTargets)
    {
        LoadModelVector(robotJoints);
        RigidTransform now = _grip.Pose(_q);
        Vec3 rotation = (GripperDown * now.Rotation.Transposed).ToRotationVector();
        IkResult result = _ik.SolvePoseStep(_q, target - now.Translation, rotation, _solution);
        if (!result.Success)
        {
            // At the edge of the workspace the gripper cannot stay vertical; let it tilt rather than
            // stop (Gymnasium's soft mocap weld gives the same way).
            result = _ik.SolvePositionStep(_q, target - now.Translation, _solution);
        }
        for (int i = 0; i < _armSlots.Length; i++)
        {
            armTargets[i] = result.Success ? _solution[_armSlots[i]] : _q[_armSlots[i]];
        }
        return result.Success;
    }

    /// <summary>
    /// Full joint vector (FetchJoints.All order) with the grip site at <paramref name="grip"/>, gripper
    /// down, torso at <paramref name="torso"/>, head aimed by (<paramref name="headPan"/>,
    /// <paramref name="headTilt"/>), fingers closed. Deterministic (seeded restarts). Throws when unreachable.
    /// </summary>
    public double[] SolveStartJoints(in Vec3 grip, double torso, double headPan, double headTilt, ArmPosture posture = ArmPosture.ElbowUp)
    {
        double[] seed = _model.CreateHomeVector();
        SetSlot(seed, FetchJoints.TorsoLift, torso);
        if (posture == ArmPosture.ElbowOut)
        {
            // Panned right, upper arm level and rolled a quarter turn, so the elbow bends in the horizontal
            // plane out to the right and the wrist pitches the gripper down: the solver lands elbow-out.
            SetSlot(seed, FetchJoints.ShoulderPan, -1.3);
            SetSlot(seed, FetchJoints.ShoulderLift, 0.2);
            SetSlot(seed, FetchJoints.UpperarmRoll, Math.PI / 2);
            SetSlot(seed, FetchJoints.ElbowFlex, 1.6);
            SetSlot(seed, FetchJoints.ForearmRoll, -Math.PI / 2);
            SetSlot(seed, FetchJoints.WristFlex, 1.5);
        }
        else
        {
            // A "ready" elbow-up posture above the table, so the solver lands in the familiar configuration.
            SetSlot(seed, FetchJoints.ShoulderLift, 0.6);
            SetSlot(seed, FetchJoints.ElbowFlex, 1.2);
            SetSlot(seed, FetchJoints.WristFlex, 1.3);
        }
        var solver = new IkSolver(_model, "gripper_link", FetchJoints.Arm, new IkOptions(), RigidTransform.FromTranslation(GripSiteOffset));
        var solution = new double[_model.VariableCount];
        IkResult result = solver.SolvePose(new RigidTransform(GripperDown, grip), seed, solution);
        if (!result.Success)
        {
            throw new ArgumentException($"the start grip position {grip} is not reachable with the gripper down (IK {result.Status}, error {result.PositionError:F4} m)");
        }
        var joints = new double[FetchJoints.Count];
        for (int i = 0; i < FetchJoints.Count; i++)
        {
            joints[i] = _modelSlotOfRobotJoint[i] >= 0 ? solution[_modelSlotOfRobotJoint[i]] : 0;
        }
        joints[FetchJoints.IndexOf(FetchJoints.HeadPan)] = headPan;
        joints[FetchJoints.IndexOf(FetchJoints.HeadTilt)] = headTilt;
        joints[FetchJoints.IndexOf(FetchJoints.LGripperFinger)] = 0;
        joints[FetchJoints.IndexOf(FetchJoints.RGripperFinger)] = 0;
        return joints;
    }

    /// <summary>Head (pan, tilt) that points the head camera's optical axis at <paramref name="point"/>
    /// (base frame), for a torso height of <paramref name="torso"/>. Two fixed-point passes are exact
    /// to well under a degree, which is all framing needs.</summary>
    public (double Pan, double Tilt) AimHead(in Vec3 point, double torso)
    {
        double[] q = _model.CreateHomeVector();
        SetSlot(q, FetchJoints.TorsoLift, torso);
        var fk = new ForwardKinematics(_model);
        double pan = 0, tilt = 0;
        for (int pass = 0; pass < 3; pass++)
        {
            SetSlot(q, FetchJoints.HeadPan, pan);
            SetSlot(q, FetchJoints.HeadTilt, tilt);
            fk.Compute(q);
            Vec3 pivot = fk.PoseOf("head_tilt_link").Translation;
            Vec3 d = point - pivot;
            pan = Math.Atan2(d.Y, d.X);
            tilt = Math.Atan2(-d.Z, Math.Sqrt(d.X * d.X + d.Y * d.Y));
        }
        return (pan, tilt);
    }

    private void SetSlot(double[] q, string joint, double value)
    {
        int slot = _model.VariableIndexOf(joint);
        if (slot >= 0)
        {
            q[slot] = value;
        }
    }

    private void LoadModelVector(ReadOnlySpan<double> robotJoints)
    {
        for (int i = 0; i < _modelSlotOfRobotJoint.Length; i++)
        {
            int slot = _modelSlotOfRobotJoint[i];
            if (slot >= 0)
            {
                _q[slot] = robotJoints[i];
            }
        }
    }
}
