namespace RobotBridge.Robots;

/// <summary>
/// Canonical joint order of the Fetch as used in every joint vector of this project (state, limits,
/// commands). Names are the URDF joint names (../urdf/fetch.urdf).
/// </summary>
public static class FetchJoints
{
    public const string LWheel = "l_wheel_joint";
    public const string RWheel = "r_wheel_joint";
    public const string TorsoLift = "torso_lift_joint";
    public const string HeadPan = "head_pan_joint";
    public const string HeadTilt = "head_tilt_joint";
    public const string ShoulderPan = "shoulder_pan_joint";
    public const string ShoulderLift = "shoulder_lift_joint";
    public const string UpperarmRoll = "upperarm_roll_joint";
    public const string ElbowFlex = "elbow_flex_joint";
    public const string ForearmRoll = "forearm_roll_joint";
    public const string WristFlex = "wrist_flex_joint";
    public const string WristRoll = "wrist_roll_joint";
    public const string LGripperFinger = "l_gripper_finger_joint";
    public const string RGripperFinger = "r_gripper_finger_joint";

    /// <summary>Every actuated joint, in state-vector order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        LWheel, RWheel, TorsoLift, HeadPan, HeadTilt,
        ShoulderPan, ShoulderLift, UpperarmRoll, ElbowFlex, ForearmRoll, WristFlex, WristRoll,
        LGripperFinger, RGripperFinger,
    ];

    /// <summary>The 7 arm joints in chain order (controller group "arm").</summary>
    public static IReadOnlyList<string> Arm { get; } =
        [ShoulderPan, ShoulderLift, UpperarmRoll, ElbowFlex, ForearmRoll, WristFlex, WristRoll];

    /// <summary>Torso plus the 7 arm joints (controller group "arm_with_torso").</summary>
    public static IReadOnlyList<string> ArmWithTorso { get; } =
        [TorsoLift, ShoulderPan, ShoulderLift, UpperarmRoll, ElbowFlex, ForearmRoll, WristFlex, WristRoll];

    public static IReadOnlyList<string> Head { get; } = [HeadPan, HeadTilt];

    public static IReadOnlyList<string> Torso { get; } = [TorsoLift];

    public static int Count => All.Count;

    /// <summary>Index of <paramref name="joint"/> in <see cref="All"/>, or -1.</summary>
    public static int IndexOf(string joint)
    {
        for (int i = 0; i < All.Count; i++)
        {
            if (All[i] == joint)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>True for the continuous (unbounded) roll joints: no position range, unwound the shortest way.</summary>
    public static bool IsContinuous(string joint) => joint is UpperarmRoll or ForearmRoll or WristRoll;

    /// <summary>Joints of a controller group (arm, arm_with_torso, torso, head).</summary>
    public static IReadOnlyList<string> Of(JointGroup group) => group switch
    {
        JointGroup.Arm => Arm,
        JointGroup.ArmWithTorso => ArmWithTorso,
        JointGroup.Torso => Torso,
        JointGroup.Head => Head,
        _ => throw new ArgumentOutOfRangeException(nameof(group), group, "unknown joint group"),
    };
}

/// <summary>The Fetch's FollowJointTrajectory controllers, by the joints they own.</summary>
public enum JointGroup
{
    Arm,
    ArmWithTorso,
    Torso,
    Head,
}
