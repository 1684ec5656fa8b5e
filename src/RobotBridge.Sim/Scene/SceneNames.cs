namespace RobotBridge.Sim.Scene;

/// <summary>Names of the objects the scene builder adds around the URDF robot.</summary>
public static class SceneNames
{
    public const string BaseX = "base_x";
    public const string BaseY = "base_y";
    public const string BaseYaw = "base_yaw";
    public const string HeadCamera = "head_camera_rgb";
    public const string HeadCameraBody = "head_camera_rgb_optical_frame";
    public const string GripperBody = "gripper_link";
    public const string WristRollBody = "wrist_roll_link";
    public const string TorsoLiftBody = "torso_lift_link";
    public const string BaseBody = "base_link";
    public const string Table = "table";
    public const string TableGeom = "table_top";
    public const string SlideTable = "slide_table";
    public const string SlideTableGeom = "slide_table_top";
    public const string Cube = "cube";
    public const string CubeGeom = "cube_geom";
    public const string CubeJoint = "cube_joint";
    public const string Puck = "puck";
    public const string PuckGeom = "puck_geom";
    public const string PuckJoint = "puck_joint";
    public const string HomeKey = "home";

    /// <summary>Actuator name for a joint servo.</summary>
    public static string ServoOf(string joint) => joint + "_servo";
}
