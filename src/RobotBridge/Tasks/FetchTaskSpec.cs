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

    public int ObservationSize => HasObject ? 25 : 10;

    /// <summary>Table top height in the base frame.</summary>
    public const double TableTop = 0.4;

    /// <summary>Env step period: 20 physics steps of 2 ms, 25 Hz (Gymnasium's dt).</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(40);

    /// <summary>Gripper displacement per unit action per step (m).</summary>
    public const double ActionScale = 0.05;

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
