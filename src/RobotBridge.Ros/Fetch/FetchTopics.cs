using RobotBridge.Robots;

namespace RobotBridge.Ros.Fetch;

/// <summary>The real Fetch's ROS names (fetch_bringup, robot_controllers; reference fetch-robot-facts §2),
/// used by both <see cref="RosFetch"/> and the server-side <see cref="FetchRobotNode"/>.</summary>
public static class FetchTopics
{
    public const string JointStates = "/joint_states";
    public const string CartesianTwist = "/arm_controller/cartesian_twist/command";
    public const string BaseCommand = "/base_controller/command";
    public const string CmdVel = "/cmd_vel";
    public const string EnableSoftwareRunstop = "/enable_software_runstop";
    public const string SoftwareRunstopEnabled = "/software_runstop_enabled";
    public const string RgbImage = "/head_camera/rgb/image_raw";
    public const string RgbCompressed = "/head_camera/rgb/image_raw/compressed";

    /// <summary>The head camera as the robot side of RobotBridge forwards it to the bridge:
    /// launch/head_camera.launch throttles image_raw to camera_hz (default 10, which delivers every other frame of the 15 Hz camera: 7.5 Hz) on this topic, and
    /// <c>robotbridge serve</c> publishes it the same way. RosFetch reads it by default.</summary>
    public const string RgbThrottled = "/head_camera/rgb/image_throttled";

    /// <summary>JPEG of <see cref="RgbThrottled"/> (launch/head_camera.launch; not served by the twin).</summary>
    public const string RgbThrottledCompressed = "/head_camera/rgb/image_throttled/compressed";
    public const string RgbCameraInfo = "/head_camera/rgb/camera_info";
    public const string DepthImage = "/head_camera/depth_registered/image";
    public const string GripperAction = "/gripper_controller/gripper_action";
    public const string PointHeadAction = "/head_controller/point_head";

    /// <summary>The task object's pose (geometry_msgs/PoseStamped in <see cref="ObjectFrame"/>, stamped
    /// when measured) that <see cref="Tracking.RosObjectTracker"/> reads: published on a real Fetch by a
    /// detector (e.g. an AR-marker tracker republished in base_link), by <c>robotbridge serve</c> from the
    /// twin's ground truth.</summary>
    public const string ObjectPose = "/robotbridge/object_pose";

    /// <summary>Twin only: where <c>robotbridge serve</c> puts the task object, at rest on the table
    /// (geometry_msgs/PointStamped in <see cref="ObjectFrame"/>; z is ignored), so object tasks can reset on a
    /// served twin with nobody to place the object (env option <c>object_placement=twin</c>). Publishing
    /// it needs the operator role, as commanding motion does; a real Fetch has no such topic.</summary>
    public const string PlaceObject = "/robotbridge/place_object";

    /// <summary>The only frame the object pose may be given in (the robot base, the tasks' frame).</summary>
    public const string ObjectFrame = "base_link";

    /// <summary>The FollowJointTrajectory action server of a controller group.</summary>
    public static string TrajectoryAction(JointGroup group) => group switch
    {
        JointGroup.Arm => "/arm_controller/follow_joint_trajectory",
        JointGroup.ArmWithTorso => "/arm_with_torso_controller/follow_joint_trajectory",
        JointGroup.Torso => "/torso_controller/follow_joint_trajectory",
        JointGroup.Head => "/head_controller/follow_joint_trajectory",
        _ => throw new ArgumentOutOfRangeException(nameof(group), group, "unknown joint group"),
    };

    public static IReadOnlyList<JointGroup> Groups { get; } = [JointGroup.Arm, JointGroup.ArmWithTorso, JointGroup.Torso, JointGroup.Head];

    /// <summary>Joints the real robot's body driver publishes (first name l_wheel_joint); the gripper
    /// driver publishes the fingers in a separate message on the same topic.</summary>
    public static IReadOnlyList<string> BodyJoints { get; } = [.. FetchJoints.All.Where(j => j != FetchJoints.LGripperFinger && j != FetchJoints.RGripperFinger)];

    public static IReadOnlyList<string> GripperJoints { get; } = [FetchJoints.LGripperFinger, FetchJoints.RGripperFinger];

    /// <summary>Frame id that makes the cartesian twist controller work in the torso_lift_link frame
    /// (any non-empty id other than end_effector_frame; teleop uses base_link).</summary>
    public const string TwistFrame = "base_link";

    /// <summary>The head camera's real rate (DOCS: 640x480 at 15 Hz).</summary>
    public static readonly TimeSpan CameraPeriod = TimeSpan.FromSeconds(1.0 / 15);
}
