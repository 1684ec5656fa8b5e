namespace RobotBridge.Recording;

/// <summary>
/// Topic names (and their message types) of an episode bag. Robot data keeps the real Fetch's topic
/// names, so a bag recorded on the robot and one recorded on the twin look the same to ROS tools.
/// </summary>
public static class EpisodeTopics
{
    /// <summary>std_msgs/String, one per episode boundary: "begin key=value …" and "end key=value …".</summary>
    public const string Events = "/episode/events";

    /// <summary>std_msgs/Float64MultiArray: the policy's observation vector (label "observation").</summary>
    public const string Observation = "/episode/observation";

    /// <summary>std_msgs/Float64MultiArray: a goal env's achieved goal.</summary>
    public const string AchievedGoal = "/episode/achieved_goal";

    /// <summary>std_msgs/Float64MultiArray: a goal env's desired goal.</summary>
    public const string DesiredGoal = "/episode/desired_goal";

    /// <summary>std_msgs/Float64MultiArray: the action given to the env at this step.</summary>
    public const string Action = "/episode/action";

    /// <summary>std_msgs/Float64: the reward returned by the step.</summary>
    public const string Reward = "/episode/reward";

    /// <summary>std_msgs/Float64MultiArray with the fields of <see cref="StepTiming"/> in seconds.</summary>
    public const string Timing = "/episode/timing";

    /// <summary>diagnostic_msgs/DiagnosticStatus: e-stops, limit clamps, watchdog trips, resets.</summary>
    public const string Safety = "/safety/events";

    /// <summary>sensor_msgs/JointState, all joints in FetchJoints.All order.</summary>
    public const string JointStates = "/joint_states";

    /// <summary>sensor_msgs/Image rgb8, the head camera.</summary>
    public const string CameraRgb = "/head_camera/rgb/image_raw";

    /// <summary>sensor_msgs/Image 32FC1 depth in metres, the head camera.</summary>
    public const string CameraDepth = "/head_camera/depth/image";
}
