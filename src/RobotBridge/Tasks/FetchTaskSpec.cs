using RobotBridge.Gym.Envs;
using RobotBridge.Model;

namespace RobotBridge.Tasks;

/// <summary>The four Gymnasium-Robotics Fetch tasks.</summary>
public enum FetchTaskKind
{
    Reach,
    Push,
    Slide,
    PickAndPlace,
}

/// <summary>How an action's grip displacement becomes arm motion.</summary>
public enum FetchArmMotion
{
    /// <summary>Each step's joint targets as one goal, reached within the step at up to 90 % of the URDF
    /// velocity limits and no acceleration limit: the quick arm Gymnasium's mocap-driven Fetch has, for
    /// comparing with published results. A real Fetch does not move like this: behind the safety
    /// supervisor these goals are retimed to the acceleration limits and the arm crawls.</summary>
    Direct,

    /// <summary>Joint targets streamed within 90 % of the safety limits, velocity and acceleration
    /// (<see cref="Control.JointGoalStreamer"/>): how a real Fetch can move, and what the supervisor passes
    /// unchanged. Train policies meant for a real Fetch this way.</summary>
    Streamed,
}

/// <summary>Which table stands in front of the robot.</summary>
public enum FetchTable
{
    /// <summary>Reach / Push / PickAndPlace table, top at z 0.4 m.</summary>
    Standard,
    /// <summary>Slide's long low-friction table, top at z 0.4 m.</summary>
    Slide,
}

/// <summary>
/// The parameters of one Fetch task, as in Gymnasium-Robotics v4 (../shared/reference/gym-fetch-tasks.md
/// §6), restated in the robot's base frame: Gymnasium's world frame has the base at (0.692, 0.744, 0)
/// (Slide: 0.337), ours has it at the origin, so every position here is Gymnasium's minus that offset.
/// </summary>
public sealed record FetchTaskSpec
{
    public required FetchTaskKind Kind { get; init; }

    /// <summary>The task moves an object (cube or puck) rather than the gripper to the goal.</summary>
    public bool HasObject { get; init; }

    /// <summary>Gripper held closed; action[3] ignored (Reach, Push, Slide).</summary>
    public bool BlockGripper { get; init; }

    /// <summary>PickAndPlace: half the goals are lifted up to 0.45 m above the table.</summary>
    public bool TargetInTheAir { get; init; }

    public Vec3 TargetOffset { get; init; }

    /// <summary>Half-width of the square the object starts in, around the start grip position.</summary>
    public double ObjectRange { get; init; } = 0.15;

    /// <summary>Half-width of the cube goals are drawn from, around the start grip position.</summary>
    public double TargetRange { get; init; } = 0.15;

    public double DistanceThreshold { get; init; } = 0.05;

    public GoalRewardType RewardType { get; init; } = GoalRewardType.Sparse;

    /// <summary>Grip-site position at the start of every episode (robot base frame, m).</summary>
    public required Vec3 StartGripPosition { get; init; }

    /// <summary>Height of the object's centre resting on the table (Gymnasium's height_offset).</summary>
    public double ObjectRestHeight { get; init; }

    public FetchTable Table { get; init; } = FetchTable.Standard;

    /// <summary>Side of the square head-camera image in the observation ("image", uint8 side x side x 3),
    /// or 0 for a proprioceptive task.</summary>
    public int ImageSize { get; init; }

    /// <summary>How actions move the arm (env option <c>arm_motion</c>).</summary>
    public FetchArmMotion ArmMotion { get; init; } = FetchArmMotion.Direct;

    /// <summary>Time between policy steps: Gymnasium's 40 ms for the v4 ids.</summary>
    public TimeSpan StepPeriod { get; init; } = Period;

    /// <summary>Grip displacement of a full action (m): the step's target is the measured grip site plus
    /// action × this. Gymnasium's 5 cm for the v4 ids.</summary>
    public double ActionReach { get; init; } = ActionScale;

    /// <summary>Steps by which the observed object pose lags the world: a camera tracker's pose is
    /// 100–116 ms old at the policy over rosbridge (<c>bench e2e</c>), one step of the deployable family.</summary>
    public int ObjectLagSteps { get; init; }

    /// <summary>Standard deviation of Gaussian noise on the observed object position (m), per axis.</summary>
    public double ObjectNoise { get; init; }

    /// <summary>Centre of the squares objects and goals are drawn from, when it is not the start grip
    /// position (the deployable object tasks start the gripper to the side, out of the camera's view of it).</summary>
    public Vec3? SamplingCentre { get; init; }

    /// <summary>Centre of the object and goal sampling: Gymnasium's start grip position.</summary>
    public Vec3 RegionCentre => SamplingCentre ?? StartGripPosition;

    /// <summary>Start grip position of the deployable object tasks: 22 cm to the robot's right of the table
    /// centre, where the arm leaves the head camera a clear view of the whole object region (with the
    /// gripper over the centre the upper arm hid the cube in every frame; <c>bench apriltag --arm
    /// deploy-start</c>: 60/60 placements detected here, 38/60 at 15 cm, 0/60 over the centre).</summary>
    public static readonly Vec3 DeployableObjectStart = new(0.60, -0.22, 0.535);

    /// <summary>The arm's posture at the start; the step IK keeps close to it through the episode.</summary>
    public ArmPosture StartPosture { get; init; } = ArmPosture.ElbowUp;

    /// <summary>Torso height of the start pose (m).</summary>
    public double StartTorso { get; init; } = 0.05;

    /// <summary>Where the head camera looks at reset (base frame).</summary>
    public Vec3 HeadTarget { get; init; } = new(0.65, 0.0, TableTop);

    /// <summary>Deployable family: the sim body's defaults (supervisor, measured latency, joint noise)
    /// are the family's, see <see cref="FetchEnvs"/>.</summary>
    public bool Deployable { get; init; }

    /// <summary>Grip-to-target distance (m) at which a proportional controller's action saturates: one full
    /// action's displacement, so a controller aiming at a point within it commands exactly that point.</summary>
    public double FullActionDistance => ActionReach;

    public int ObservationSize => HasObject ? 25 : 10;

    /// <summary>Table top height in the base frame.</summary>
    public const double TableTop = 0.4;

    /// <summary>Env step period: 20 physics steps of 2 ms, 25 Hz (Gymnasium's dt).</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(40);

    /// <summary>Gripper displacement per unit action per step (m).</summary>
    public const double ActionScale = 0.05;

    /// <summary>Policy period of the deployable family: 10 Hz, so 50 steps (HER's usual horizon) span 5 s,
    /// time for the acceleration-limited arm to reach the object and move it.</summary>
    public static readonly TimeSpan DeployablePeriod = TimeSpan.FromMilliseconds(100);

    /// <summary>Grip displacement of a full action in the deployable family (m): the v4 tasks' 5 cm. The
    /// streamed arm heads for the target within its joint limits, so the distance sets the speed it keeps
    /// under a sustained full action: 10-21 mm per 100 ms step (<c>bench tasks --family deploy</c>).</summary>
    public const double DeployableActionReach = 0.05;

    /// <summary>Grip displacement of a full action for the deployable Reach (m): 2 cm. A learned policy
    /// drives the arm with near full actions; from the speed 5 cm targets give it, joints with low
    /// acceleration limits (shoulder_lift 1.0 rad/s²) brake for a third of a second while the wrist has
    /// already turned, and the grip swings several centimetres off its target in a way the grip-only
    /// observation cannot show. With 2 cm the arm is slower (7-11 mm per step) and a Reach policy learns:
    /// SAC+HER seed 1, 30 episodes: 93 % at 10k steps and 97 % at 20k, where 5 cm gave 27 % and 83 %.</summary>
    public const double DeployableReachActionReach = 0.02;

    /// <summary>The deployable variant of <paramref name="kind"/> (ids <c>Fetch…Deploy-v1</c>): the same
    /// observation, goals and rewards; a target a few centimetres from the measured grip, streamed to the
    /// arm as joint goals at 10 Hz; the object observed one step late with noise, as a camera tracker sees it.</summary>
    public static FetchTaskSpec DeployableFor(FetchTaskKind kind)
    {
        FetchTaskSpec v4 = For(kind);
        return v4.HasObject
            ? WithDeployableAction(v4) with { SamplingCentre = v4.StartGripPosition, StartGripPosition = DeployableObjectStart }
            : WithDeployableAction(v4);
    }

    private static FetchTaskSpec WithDeployableAction(FetchTaskSpec v4) => v4 with
    {
        StepPeriod = DeployablePeriod,
        ActionReach = v4.HasObject ? DeployableActionReach : DeployableReachActionReach,
        ArmMotion = FetchArmMotion.Streamed,
        ObjectLagSteps = 1,
        ObjectNoise = 0.002,
        Deployable = true,
    };

    public static FetchTaskSpec For(FetchTaskKind kind) => kind switch
    {
        // Gymnasium's measured start grip positions (§7) minus the base offset; Push and Slide start a
        // little higher than Gymnasium's (which rests the gripper on the table through its soft weld)
        // so the real arm is not driven into the table.
        FetchTaskKind.Reach => new FetchTaskSpec
        {
            Kind = kind, BlockGripper = true, StartGripPosition = new Vec3(0.650, 0.005, 0.535),
        },
        FetchTaskKind.Push => new FetchTaskSpec
        {
            Kind = kind, HasObject = true, BlockGripper = true, StartGripPosition = new Vec3(0.656, 0.005, 0.44),
            ObjectRestHeight = TableTop + 0.025,
        },
        FetchTaskKind.Slide => new FetchTaskSpec
        {
            Kind = kind, HasObject = true, BlockGripper = true, StartGripPosition = new Vec3(0.659, 0.005, 0.44),
            TargetOffset = new Vec3(0.4, 0, 0), ObjectRange = 0.1, TargetRange = 0.3,
            ObjectRestHeight = TableTop + 0.02, Table = FetchTable.Slide,
        },
        FetchTaskKind.PickAndPlace => new FetchTaskSpec
        {
            Kind = kind, HasObject = true, TargetInTheAir = true, StartGripPosition = new Vec3(0.650, 0.005, 0.535),
            ObjectRestHeight = TableTop + 0.025,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown Fetch task"),
    };
}
